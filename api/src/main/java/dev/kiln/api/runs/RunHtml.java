package dev.kiln.api.runs;

import dev.kiln.api.web.ApiPaths;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * {@code GET /runs/{id}} for a browser: one self-contained page (no external assets, so it works
 * behind any proxy and offline) with the run view, the failure summary on top, a link to the
 * Temporal Web UI and the live log through EventSource, ANSI colours rendered.
 */
final class RunHtml {

  private static final SecureRandom RANDOM = new SecureRandom();

  private RunHtml() {}

  /** A value for one response's Content-Security-Policy nonce: 128 random bits. */
  static String nonce() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return Base64.getEncoder().encodeToString(bytes);
  }

  /**
   * Nothing runs or loads but the page's own script and style (carrying {@code nonce}); it may
   * connect only to this api (the log stream); it cannot be framed, post forms or change its base.
   * Text from a build (log lines, summaries, names) is escaped as well, so this is the second wall.
   */
  static String contentSecurityPolicy(String nonce) {
    return "default-src 'none'; script-src 'nonce-"
        + nonce
        + "'; style-src 'nonce-"
        + nonce
        + "'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none';"
        + " frame-ancestors 'none'";
  }

  static String render(RunView run, String nonce) {
    StringBuilder gates = new StringBuilder();
    for (RunView.Gate g : run.gates()) {
      gates
          .append("<tr><td>")
          .append(esc(g.name()))
          .append("</td><td class=\"s-")
          .append(esc(g.status()))
          .append("\">")
          .append(esc(g.status()))
          .append("</td><td>")
          .append(g.required() ? "required" : "optional")
          .append("</td><td>")
          .append(esc(g.summary()))
          .append("</td></tr>");
      failures(gates, g.failures());
    }
    String title =
        run.run().repo()
            + " "
            + (run.run().ref() == null ? "HEAD" : run.run().ref())
            + " "
            + run.run().arch();
    return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <title>Kiln run %1$d: %2$s</title>
        <style nonce="%11$s">
        body{font:14px system-ui,sans-serif;margin:1em;background:#fafafa;color:#222}
        .failure{background:#fde8e8;border:1px solid #e0a0a0;padding:.6em;white-space:pre-wrap}
        .failure:empty{display:none}
        .waiting{color:#8a6d00}.waiting:empty{display:none}
        table{border-collapse:collapse}td,th{padding:.15em .8em .15em 0;text-align:left}
        .s-passed{color:#16782b}.s-failed{color:#b3261e}.s-running{color:#8a6d00}
        .failures{margin:0;padding-left:1.2em;color:#5a1a14}
        #log{background:#111;color:#ddd;font:12px ui-monospace,monospace;white-space:pre-wrap;
        padding:.6em;height:60vh;overflow:auto}
        .b{font-weight:bold}.f30{color:#666}.f31{color:#e55}.f32{color:#5c5}.f33{color:#dd5}
        .f34{color:#69f}.f35{color:#d6d}.f36{color:#5dd}.f37{color:#eee}
        </style></head><body>
        <h1>Run %1$d</h1>
        <div class="failure" id="failure">%3$s</div>
        <p><b id="result">%4$s</b> · phase <b id="phase">%5$s</b> · %2$s · sha %6$s ·
        <a href="%7$s">Temporal Web UI</a> · <a href="%8$s">raw log</a></p>
        <p class="waiting" id="waiting">%10$s</p>
        <p class="waiting" id="culprit">%14$s</p>
        <table><tr><th>gate</th><th>status</th><th></th><th>summary</th></tr>%9$s</table>
        %13$s
        <pre id="log">%12$s</pre>
        <script nonce="%11$s">
        (function () {
          var log = document.getElementById('log');
          function span(text, cls) {
            var s = document.createElement('span');
            if (cls) s.className = cls;
            s.textContent = text;
            return s;
          }
          var cls = '', pending = '';
          // ANSI SGR (ESC [ ... m): bold and the 8 foreground colours; other escapes are removed
          function append(text) {
            var stick = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
            // the worker cuts chunks by time, so an escape may end in the next chunk: hold it back
            text = pending + text;
            var cut = /\\x1b(\\[[0-9;]*)?$/.exec(text);
            pending = cut ? cut[0] : '';
            if (cut) text = text.slice(0, cut.index);
            var re = /\\x1b\\[([0-9;]*)([A-Za-z])/g, last = 0, m;
            while ((m = re.exec(text)) !== null) {
              if (m.index > last) log.appendChild(span(text.slice(last, m.index), cls));
              last = re.lastIndex;
              if (m[2] !== 'm') continue;
              (m[1] || '0').split(';').forEach(function (code) {
                var n = parseInt(code || '0', 10);
                if (n === 0) cls = '';
                else if (n === 1) cls = (cls.replace(/\\bb\\b/, '') + ' b').trim();
                else if (n >= 30 && n <= 37) cls = (cls.replace(/f3\\d/, '') + ' f' + n).trim();
                else if (n === 39) cls = cls.replace(/f3\\d/, '').trim();
              });
            }
            if (last < text.length) log.appendChild(span(text.slice(last), cls));
            if (stick) log.scrollTop = log.scrollHeight; // follow unless the reader scrolled up
          }
          var es = new EventSource('%8$s');
          es.addEventListener('log', function (e) { append(JSON.parse(e.data).text); });
          es.addEventListener('phase', function (e) {
            var phase = JSON.parse(e.data).phase;
            document.getElementById('phase').textContent = phase;
            if (phase !== 'queued') document.getElementById('waiting').textContent = '';
          });
          es.addEventListener('end', function (e) {
            var end = JSON.parse(e.data);
            document.getElementById('result').textContent = end.result;
            document.getElementById('failure').textContent = end.failure_summary || '';
            es.close(); // otherwise EventSource reconnects and replays
          });
        })();
        </script></body></html>
        """
        .formatted(
            run.run().runId(),
            esc(title),
            esc(run.run().failureSummary()),
            esc(run.run().result()),
            esc(run.run().phase()),
            esc(run.run().sha() == null ? "(not resolved yet)" : run.run().sha()),
            esc(run.run().temporal().uiUrl()),
            esc(ApiPaths.runLogs(run.run().runId())),
            gates,
            esc(run.waitingReason()),
            esc(nonce),
            // the log is gone: its stream answers 410, and the page says why instead
            esc(run.retention() == null ? null : run.retention().note()),
            notifications(run.notifications()),
            esc(run.bisection() == null ? null : run.bisection().line()));
  }

  /** Who was told of the run, as of this page's load: target, event, state, attempts, error. */
  private static String notifications(java.util.List<RunView.Notification> notifications) {
    if (notifications.isEmpty()) {
      return "";
    }
    StringBuilder html =
        new StringBuilder(
            "<table><tr><th>notified</th><th>event</th><th>state</th><th>attempts</th>"
                + "<th>last error</th></tr>");
    for (RunView.Notification n : notifications) {
      html.append("<tr><td>")
          .append(esc(n.target().type() + " " + n.target().url()))
          .append("</td><td>")
          .append(esc(n.event()))
          .append("</td><td>")
          .append(esc(n.state()))
          .append("</td><td>")
          .append(n.attempts())
          .append("</td><td>")
          .append(esc(n.lastError()))
          .append("</td></tr>");
    }
    return html.append("</table>").toString();
  }

  /** A gate's failing tests under its row: name, then where and what. */
  private static void failures(StringBuilder html, java.util.List<RunView.Failure> failures) {
    if (failures.isEmpty()) {
      return;
    }
    html.append("<tr><td></td><td colspan=\"3\"><ul class=\"failures\">");
    for (RunView.Failure f : failures) {
      String where = f.file() == null ? "" : f.file() + (f.line() == null ? "" : ":" + f.line());
      html.append("<li><b>")
          .append(esc(f.name()))
          .append("</b>")
          .append(where.isEmpty() ? "" : " <code>" + esc(where) + "</code>")
          .append(f.message() == null ? "" : " " + esc(f.message()))
          .append("</li>");
    }
    html.append("</ul></td></tr>");
  }

  /** Escapes for HTML text and attribute values. */
  static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}

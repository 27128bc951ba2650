package dev.kiln.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The run page ({@code GET /runs/{id}} as {@code text/html}) in a real headless Chromium ({@link
 * HeadlessChromium}) against the whole dev stack: while a build prints a line every 200 ms the page
 * shows the running step open and its log growing without a reload, ANSI red as red; at the end the
 * result and the failure summary on top, the failing step opened at the line the summary quotes,
 * highlighted and on screen, every line of the log numbered as the server's search numbers it, a
 * permalink to a line, and a link to the Temporal Web UI.
 */
class RunPageBrowserIT extends BrowserEndToEnd {

  @Test
  void pageFollowsTheRunLiveAndAtTheEndOpensTheFailingStepAtTheLineItsSummaryQuotes()
      throws Exception {
    String repo = fixtures.repository("live-log", Map.of());
    KilnHttp.Answer accepted = api.rebuild(Map.of("repo", repo));
    assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
    long runId = accepted.json().path("run_id").asLong();

    browser.get(stack.baseUrl() + "/runs/" + runId);
    assertThat(browser.getTitle()).contains("Kiln run " + runId).contains(repo);
    script("window.kilnTestMarker = 'loaded once'");
    WebDriverWait wait = new WebDriverWait(browser, BUILD_TIMEOUT);

    // live: lines arrive while the build runs, without a reload, in the open compile step
    wait.until(b -> logLines() >= 10);
    int seen = logLines();
    assertThat(text("result")).isEqualTo("building");
    assertThat(text("phase")).isEqualTo("compiling");
    wait.withTimeout(Duration.ofSeconds(30)).until(b -> logLines() >= seen + 5);
    assertThat(text("result")).as("still running when the new lines came").isEqualTo("building");
    WebElement compile = browser.findElement(By.id("step-compile"));
    assertThat(compile.getAttribute("open")).as("the running step is open").isNotNull();
    // the run view, read again every few seconds, names the step's command
    wait.withTimeout(Duration.ofSeconds(15))
        .until(
            b ->
                b.findElement(By.cssSelector("#step-compile summary code"))
                    .getText()
                    .startsWith("$ printf"));

    // ANSI: a red line of the build is in an element styled red, and no escape shows
    wait.until(b -> redLineColour() != null);
    String colour = redLineColour();
    assertThat(isRed(colour)).as(colour).isTrue();
    assertThat(shownText()).doesNotContain("\u001b").doesNotContainPattern("\\[31mred line \\d");

    // the end: result, failure summary on top, the failing step open at its error line
    wait.withTimeout(BUILD_TIMEOUT).until(b -> !"building".equals(text("result")));
    JsonNode run = api.awaitEnd(runId, Duration.ofSeconds(30));
    assertThat(text("result")).isEqualTo("failed").isEqualTo(run.path("result").asText());
    assertThat(script("return window.kilnTestMarker"))
        .as("never reloaded")
        .isEqualTo("loaded once");
    String summary = run.path("failure_summary").asText().strip();
    WebElement failure = browser.findElement(By.id("failure"));
    assertThat(failure.getText()).contains("expected ';'").isEqualTo(summary);
    assertThat(failure.getLocation().getY())
        .as("the failure summary is above the log")
        .isLessThan(browser.findElement(By.id("log")).getLocation().getY());

    // every line of the log is on the page, numbered as the server's search numbers it
    int total = grep(runId, "no such text in this log", null).path("lines_searched").asInt();
    wait.withTimeout(Duration.ofSeconds(10)).until(b -> logLines() == total);
    assertThat(grep(runId, "^(red )?line \\d+$", null).path("matches")).hasSize(100);

    compile = browser.findElement(By.id("step-compile"));
    assertThat(compile.getAttribute("open")).as("the failing step is open").isNotNull();
    assertThat(compile.getAttribute("data-status")).isEqualTo("failed");
    WebElement error = wait.withTimeout(Duration.ofSeconds(10)).until(b -> errorLine());
    long quoted = compileLine(runId, "expected ';'");
    assertThat(error.getAttribute("id")).isEqualTo("L" + quoted);
    String errorText = error.findElement(By.xpath("./span")).getText();
    assertThat(errorText).contains("expected ';'");
    assertThat(summary).as("the summary quotes the line").contains(errorText.strip());
    assertThat(isOnScreen(error)).as("the error line is scrolled into view").isTrue();
    assertThat(browser.findElements(By.cssSelector("#timeline li")))
        .as("queued, fetch, compile")
        .hasSizeGreaterThanOrEqualTo(3);

    // a permalink: the split escape, far above, is shown, highlighted, red
    long split = compileLine(runId, "split escape");
    script("location.hash = '#L" + split + "'");
    WebElement linked =
        wait.withTimeout(Duration.ofSeconds(10))
            .until(
                b ->
                    b.findElements(By.cssSelector("#L" + split + ".hl")).stream()
                        .findFirst()
                        .orElse(null));
    assertThat(isOnScreen(linked)).isTrue();
    assertThat(linked.findElement(By.cssSelector(".f31")).getText()).isEqualTo("split escape");

    WebElement temporal = browser.findElement(By.linkText("Temporal Web UI"));
    assertThat(temporal.getAttribute("href"))
        .isEqualTo(run.path("temporal").path("ui_url").asText())
        .contains(run.path("temporal").path("workflow_id").asText());
  }

  /** {@code GET /runs/{id}/logs?grep=}: its answer. */
  private static JsonNode grep(long runId, String pattern, String extra) throws Exception {
    KilnHttp.Answer answer =
        api.get(
            "/runs/"
                + runId
                + "/logs?limit=1000&grep="
                + URLEncoder.encode(pattern, StandardCharsets.UTF_8)
                + (extra == null ? "" : extra));
    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    return answer.json();
  }

  /** The number of the one line of the compile step's own output that holds {@code text}. */
  private static long compileLine(long runId, String text) throws Exception {
    List<Long> lines = new ArrayList<>();
    for (JsonNode m : grep(runId, text, "&literal=true&step=compile").path("matches")) {
      lines.add(m.path("line").asLong());
    }
    assertThat(lines).as(text).hasSize(1);
    return lines.get(0);
  }

  private static Object script(String js) {
    return ((JavascriptExecutor) browser).executeScript(js);
  }

  private static WebElement errorLine() {
    return browser.findElements(By.cssSelector("#log .ln.err")).stream().findFirst().orElse(null);
  }

  private static boolean isOnScreen(WebElement element) {
    return (Boolean)
        ((JavascriptExecutor) browser)
            .executeScript(
                "var r = arguments[0].getBoundingClientRect();"
                    + " return r.top >= 0 && r.bottom <= window.innerHeight && r.height > 0;",
                element);
  }

  /**
   * The colour of the first element the page styled as ANSI red that holds a "red line" of the
   * build, read in one script: the page rewrites its rows as lines arrive.
   */
  private static String redLineColour() {
    return (String)
        script(
            "var red = Array.from(document.querySelectorAll('#log .f31'))"
                + ".find(function (e) { return /^red line \\d+$/.test(e.textContent); });"
                + " return red ? getComputedStyle(red).color : null;");
  }

  private static String text(String id) {
    return browser.findElement(By.id(id)).getText();
  }

  /** The log's lines the page holds (only those on screen are in the document). */
  private static int logLines() {
    Object lines = script("return document.getElementById('log').dataset.lines");
    return lines == null ? 0 : Integer.parseInt(lines.toString());
  }

  private static String shownText() {
    return (String) script("return document.getElementById('log').textContent");
  }

  /** {@code rgba(238, 85, 85, 1)} and the like. */
  private static boolean isRed(String cssColor) {
    Matcher rgb = Pattern.compile("rgba?\\((\\d+), (\\d+), (\\d+)").matcher(cssColor);
    if (!rgb.find()) {
      return false;
    }
    int r = Integer.parseInt(rgb.group(1));
    int g = Integer.parseInt(rgb.group(2));
    int b = Integer.parseInt(rgb.group(3));
    return r > 180 && g < 130 && b < 130;
  }
}

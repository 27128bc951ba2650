// The run page: the run view (carried in the page as JSON, then polled while the run builds) and
// its log (the SSE stream of GET /runs/{id}/logs), each step in a section of its own. A log is kept
// in memory as lines and only the lines on screen exist in the document, so a log of 64 MiB
// scrolls as one of 64 lines.
(function () {
  'use strict';

  var LH = 18; // pixels per log line: --lh in kiln.css
  var STEP_SPAN = 1000000; // each step invocation writes its chunks in a range this wide
  var POLL_MS = 3000;

  var view = JSON.parse(document.getElementById('run-view').textContent);
  var runId = view.run_id;
  var logEl = document.getElementById('log');

  // ------------------------------------------------------------------ small helpers

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function clear(e) {
    while (e.firstChild) e.removeChild(e.firstChild);
  }
  function time(iso) {
    return iso ? new Date(iso).toLocaleTimeString() : '';
  }
  function dateTime(iso) {
    return iso ? new Date(iso).toLocaleString() : '';
  }
  function duration(ms) {
    if (ms === null || ms === undefined || isNaN(ms)) return '';
    var s = ms / 1000;
    if (s < 10) return s.toFixed(1) + ' s';
    if (s < 120) return Math.round(s) + ' s';
    var m = Math.floor(s / 60);
    if (m < 120) return m + ' min ' + Math.round(s - m * 60) + ' s';
    return Math.floor(m / 60) + ' h ' + (m % 60) + ' min';
  }
  function bytes(n) {
    var units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'], i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i === 0 ? n : n.toFixed(1)) + ' ' + units[i];
  }
  function slug(name) {
    return 'step-' + name.replace(/[^A-Za-z0-9_-]/g, '-');
  }
  function getJson(url) {
    return fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (r) {
        return r.json().then(function (body) {
          if (!r.ok) throw new Error(body.detail || ('HTTP ' + r.status));
          return body;
        }, function () { throw new Error('HTTP ' + r.status); });
      });
  }

  // ------------------------------------------------------------------ ANSI colours

  var SGR = /\x1b\[([0-9;]*)([A-Za-z])/g;

  // bold and the 8 foreground colours; every other escape is dropped
  function sgr(cls, params) {
    (params || '0').split(';').forEach(function (code) {
      var n = parseInt(code || '0', 10);
      if (n === 0) cls = '';
      else if (n === 1) cls = (cls.replace(/\bb\b/, '') + ' b').trim();
      else if (n >= 30 && n <= 37) cls = (cls.replace(/f3\d/, '') + ' f' + n).trim();
      else if (n === 39) cls = cls.replace(/f3\d/, '').trim();
    });
    return cls;
  }
  function classAtEnd(raw, cls) {
    if (raw.indexOf('\x1b') < 0) return cls; // most lines: no escape, no regex run over them
    var m;
    SGR.lastIndex = 0;
    while ((m = SGR.exec(raw)) !== null) if (m[2] === 'm') cls = sgr(cls, m[1]);
    return cls;
  }
  function span(parent, text, cls) {
    if (!text) return;
    var s = el('span', cls || null, text.replace(/\x1b/g, ''));
    parent.appendChild(s);
  }
  function appendAnsi(parent, raw, cls) {
    raw = raw.replace(/\x1b(\[[0-9;]*)?$/, ''); // an escape whose end has not arrived yet
    var last = 0, m;
    SGR.lastIndex = 0;
    while ((m = SGR.exec(raw)) !== null) {
      span(parent, raw.slice(last, m.index), cls);
      last = SGR.lastIndex;
      if (m[2] === 'm') cls = sgr(cls, m[1]);
    }
    span(parent, raw.slice(last), cls);
  }
  function plain(raw) {
    return raw.replace(SGR, '').replace(/\x1b/g, '');
  }

  // ------------------------------------------------------------------ the log, in sections

  var all = []; // all[n - 1]: line n of the whole log, numbered as GET /runs/{id}/logs?grep= does
  var open = {}; // step -> its line that no newline ended yet
  var classes = {}; // step -> ANSI classes at the start of its next line
  var invocations = {}; // step invocation -> the section its Kiln lines go to
  var sections = {}; // name -> Section
  var sectionList = [];
  var errorLine = 0; // the line the failure summary quotes
  var marked = 0; // the line of the URL's #L…
  var touchedByReader = {};

  function Section(name) {
    var self = this;
    this.name = name;
    this.lines = [];
    this.follow = true;
    this.details = el('details', 'step');
    this.details.id = slug(name);
    var summary = el('summary');
    this.nameEl = el('span', 'name', name);
    this.statusEl = el('span', 'badge r-pending', 'pending');
    this.startEl = el('span', 'muted');
    this.durationEl = el('span', 'muted');
    this.commandEl = el('code');
    [this.nameEl, this.statusEl, this.startEl, this.durationEl, this.commandEl].forEach(function (e) {
      summary.appendChild(e);
    });
    this.details.appendChild(summary);
    var body = el('div', 'step-body');
    this.failuresEl = el('ul', 'failures');
    body.appendChild(this.failuresEl);
    this.viewport = el('div', 'log');
    this.viewport.tabIndex = 0; // scrolls with the keyboard
    this.viewport.setAttribute('role', 'log');
    this.viewport.setAttribute('aria-label', 'log of ' + name);
    this.spacer = el('div', 'spacer');
    this.rows = el('div', 'rows');
    this.spacer.appendChild(this.rows);
    this.viewport.appendChild(this.spacer);
    body.appendChild(this.viewport);
    this.details.appendChild(body);
    // a click is also what Enter and Space on the summary make: the reader chose
    summary.addEventListener('click', function () { touchedByReader[name] = true; });
    this.details.addEventListener('toggle', function () {
      if (self.details.open) self.render();
    });
    this.viewport.addEventListener('scroll', function () {
      var v = self.viewport;
      self.follow = v.scrollTop + v.clientHeight >= v.scrollHeight - 2 * LH;
      schedule(self);
    });
  }

  Section.prototype.render = function () {
    this.dirty = false;
    this.details.dataset.lines = this.lines.length;
    if (!this.details.open) return;
    var v = this.viewport, n = this.lines.length;
    this.spacer.style.height = Math.max(n * LH, LH) + 'px';
    if (this.follow) v.scrollTop = v.scrollHeight;
    var height = v.clientHeight || 600;
    var first = Math.max(0, Math.floor(v.scrollTop / LH) - 10);
    var last = Math.min(n, Math.ceil((v.scrollTop + height) / LH) + 10);
    this.rows.style.top = first * LH + 'px';
    var rows = document.createDocumentFragment();
    for (var i = first; i < last; i++) rows.appendChild(row(this.lines[i]));
    clear(this.rows);
    this.rows.appendChild(rows);
  };

  /** Scrolls this section's log to show line index i, and the page to show that line. */
  Section.prototype.show = function (i) {
    this.details.open = true;
    this.follow = false;
    var v = this.viewport;
    this.spacer.style.height = Math.max(this.lines.length * LH, LH) + 'px';
    v.scrollTop = Math.max(0, i * LH - v.clientHeight / 2);
    this.render();
    var target = document.getElementById('L' + this.lines[i].n);
    if (target) target.scrollIntoView({ block: 'center' });
  };

  function row(line) {
    var r = el('div', 'ln');
    if (line.n === errorLine) r.className += ' err';
    if (line.n === marked) r.className += ' hl';
    r.id = 'L' + line.n;
    var a = el('a', 'n', line.n);
    a.href = '#L' + line.n;
    a.tabIndex = -1;
    a.title = 'link to line ' + line.n;
    r.appendChild(a);
    var text = el('span', line.step === 'kiln' ? 'kiln-line' : null);
    appendAnsi(text, line.raw, line.cls);
    r.appendChild(text);
    return r;
  }

  var pending = [];
  var frame = 0;
  function schedule(section) {
    if (!section.dirty) {
      section.dirty = true;
      pending.push(section);
    }
    if (!frame) frame = requestAnimationFrame(flush);
  }
  function flush() {
    frame = 0;
    var due = pending;
    pending = [];
    due.forEach(function (s) { s.render(); });
    logEl.dataset.lines = all.length;
    if (marked && !markedShown && all.length >= marked) showMarked();
  }

  /** The section a step invocation's Kiln lines belong to, named by its first one. */
  function kilnSection(invocation, firstLine) {
    if (!invocations[invocation]) {
      var m;
      if (/^restarted on /.test(firstLine)) invocations[invocation] = 'restart';
      else if (/^fetch/.test(firstLine)) invocations[invocation] = 'fetch';
      else if (/^compile/.test(firstLine)) invocations[invocation] = 'compile';
      else if (/^stage/.test(firstLine)) invocations[invocation] = 'stage';
      else if ((m = /^gate (\S+)/.exec(firstLine))) invocations[invocation] = 'gate:' + m[1];
      else invocations[invocation] = 'kiln';
    }
    return invocations[invocation];
  }

  function section(name) {
    var s = sections[name];
    if (!s) {
      s = sections[name] = new Section(name);
      sectionList.push(s);
      arrange();
      updateSteps();
    }
    return s;
  }

  /** A step's first line: while the run builds, its section opens and the one before closes. */
  function started(s) {
    arrange();
    if (!live) return;
    sectionList.forEach(function (other) {
      if (other !== s && !touchedByReader[other.name]) other.details.open = false;
    });
    if (!touchedByReader[s.name]) s.details.open = true;
  }

  /** Sections with lines in the order of their first line, then the gates still to come. */
  function arrange() {
    var order = sectionList.slice().sort(function (a, b) {
      var fa = a.lines.length ? a.lines[0].n : Infinity, fb = b.lines.length ? b.lines[0].n : Infinity;
      if (fa !== fb) return fa - fb;
      return timelineIndex(a.name) - timelineIndex(b.name);
    });
    order.forEach(function (s) { logEl.appendChild(s.details); });
  }
  function timelineIndex(name) {
    var t = view.timeline || [];
    for (var i = 0; i < t.length; i++) if (t[i].step === name) return i;
    return t.length;
  }

  /**
   * One chunk of the log. Lines are numbered as the server numbers them: in sequence order, each
   * step with its own open line, a line's number taken when its first character arrives.
   */
  function addChunk(chunk) {
    var text = chunk.text, start = 0, invocation = Math.floor(chunk.seq / STEP_SPAN);
    while (start < text.length) {
      var nl = text.indexOf('\n', start);
      var line = open[chunk.step];
      if (!line) {
        var name = chunk.step === 'kiln'
          ? kilnSection(invocation, text.slice(start, nl < 0 ? text.length : nl))
          : chunk.step;
        if (chunk.step !== 'kiln' && !invocations[invocation]) invocations[invocation] = name;
        var s = section(name);
        line = { n: all.length + 1, raw: '', cls: classes[chunk.step] || '', step: chunk.step, section: s, i: s.lines.length };
        all.push(line);
        s.lines.push(line);
        open[chunk.step] = line;
        if (s.lines.length === 1) started(s);
      }
      if (nl < 0) {
        line.raw += text.slice(start);
        schedule(line.section);
        return;
      }
      var end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      line.raw += text.slice(start, end);
      delete open[chunk.step];
      classes[chunk.step] = classAtEnd(line.raw, line.cls);
      schedule(line.section);
      start = nl + 1;
    }
  }

  // ------------------------------------------------------------------ permalinks and the error line

  var markedShown = false;
  function readHash() {
    var m = /^#L(\d+)$/.exec(location.hash);
    marked = m ? parseInt(m[1], 10) : 0;
    markedShown = false;
    if (marked && all.length >= marked) showMarked();
    else sectionList.forEach(function (s) { if (s.details.open) s.render(); });
  }
  function showMarked() {
    markedShown = true;
    var line = all[marked - 1];
    line.section.show(line.i);
  }
  window.addEventListener('hashchange', readHash);

  /** The step that failed the run: a failed required gate, else the last step that failed. */
  function failingStep() {
    var steps = view.timeline || [];
    var gates = view.gates || [];
    for (var g = 0; g < gates.length; g++) {
      if (gates[g].status === 'failed' && gates[g].required && sections['gate:' + gates[g].name]) {
        return sections['gate:' + gates[g].name];
      }
    }
    for (var i = steps.length - 1; i >= 0; i--) {
      if (steps[i].status === 'failed' && sections[steps[i].step]) return sections[steps[i].step];
    }
    return null;
  }

  /**
   * What of the failure summary the log should hold: each of its lines, then what follows each ": "
   * in it (a test summary quotes the assertion after the test's name), longest first.
   */
  function quotes(summary) {
    var gate = /^gate \S+ failed: ([\s\S]*)$/.exec(summary);
    var text = gate ? gate[1] : summary;
    var found = [];
    text.split('\n').forEach(function (l) {
      l = l.trim();
      var at = 0;
      while (l.length - at >= 6) {
        found.push(l.slice(at));
        var next = l.indexOf(': ', at);
        if (next < 0) break;
        at = next + 2;
      }
    });
    return found;
  }

  function locateError() {
    if (view.result !== 'failed' || !view.failure_summary) return;
    var s = failingStep();
    if (!s) return;
    var candidates = quotes(view.failure_summary);
    for (var c = 0; c < candidates.length; c++) {
      for (var i = 0; i < s.lines.length; i++) {
        var line = s.lines[i];
        // Kiln's own lines repeat the summary; the build's line is the one quoted
        if (line.step !== 'kiln' && plain(line.raw).indexOf(candidates[c]) >= 0) {
          errorLine = line.n;
          logEl.dataset.errorLine = line.n;
          if (!marked) s.show(i);
          else s.render();
          return;
        }
      }
    }
    s.details.open = true; // no line quoted: the step still opens
    s.render();
  }

  // ------------------------------------------------------------------ the run view

  function setText(id, value) {
    document.getElementById(id).textContent = value || '';
  }

  function renderView() {
    var result = document.getElementById('result');
    result.textContent = view.result;
    result.className = 'badge r-' + view.result;
    setText('phase', view.phase);
    setText('failure', view.failure_summary);
    setText('waiting', view.waiting_reason);
    setText('retention', view.retention ? view.retention.note : '');
    renderFacts();
    renderTimeline();
    (view.timeline || []).forEach(function (t) {
      if (t.step.indexOf('gate:') === 0 || t.started_at) section(t.step);
    });
    arrange();
    updateSteps();
    renderArtifacts();
    renderHistory();
  }

  function fact(list, label, value, href) {
    if (value === null || value === undefined || value === '') return;
    var li = el('li');
    li.appendChild(el('span', 'muted', label + ' '));
    if (href) {
      var a = el('a', null, value);
      a.href = href;
      li.appendChild(a);
    } else {
      li.appendChild(el('b', null, value));
    }
    list.appendChild(li);
  }

  function renderFacts() {
    var list = document.getElementById('facts');
    clear(list);
    fact(list, 'repository', view.repo);
    fact(list, 'ref', view.ref);
    fact(list, 'branch', view.branch);
    fact(list, 'merge request', view.mr);
    fact(list, 'sha', view.sha ? view.sha.slice(0, 12) : null);
    fact(list, 'arch', view.arch);
    fact(list, 'host', view.host);
    fact(list, 'priority', view.priority);
    fact(list, 'queued', dateTime(view.queued_at));
    fact(list, 'took', view.finished_at ? duration(view.elapsed_s * 1000) : null);
    fact(list, 'triggered by', view.triggered_by);
    fact(list, 'cancelled by', view.cancelled_by);
    if (view.superseded_by) fact(list, 'superseded by', 'run ' + view.superseded_by, '/runs/' + view.superseded_by);
    if (view.retry_of) fact(list, 'retry of', 'run ' + view.retry_of, '/runs/' + view.retry_of);
    if (view.flaky) fact(list, 'flaky', 'passed on a retry of a commit that failed');
    (view.retries || []).forEach(function (r) {
      fact(list, 'retried', 'run ' + r.run_id + ' (' + r.retried_by + ', ' + r.result + (r.flaky ? ', flaky' : '') + ')', '/runs/' + r.run_id);
    });
    if (view.culprit) {
      fact(list, 'culprit', view.culprit.sha.slice(0, 12) + ' ' + view.culprit.subject + ' (' + view.culprit.author + ')', '/runs/' + view.culprit.run_id);
    } else if (view.bisect) {
      fact(list, 'bisect', view.bisect.status + ': ' + view.bisect.note);
    }
    if (view.bisect_of) fact(list, 'bisect build of', 'run ' + view.bisect_of, '/runs/' + view.bisect_of);
    if (view.queue_position) fact(list, 'queue position', String(view.queue_position));
    fact(list, 'sandbox', view.sandbox);
  }

  function renderTimeline() {
    var bar = document.getElementById('timeline');
    var legend = document.getElementById('timeline-legend');
    clear(bar);
    var t0 = Date.parse(view.queued_at);
    var tEnd = view.finished_at ? Date.parse(view.finished_at) : Date.now();
    var steps = (view.timeline || []).filter(function (s) { return s.started_at; });
    var firstStart = steps.length ? Date.parse(steps[0].started_at) : (view.started_at ? Date.parse(view.started_at) : tEnd);
    var parts = [{ step: 'queued', status: 'queued', from: t0, to: firstStart }];
    steps.forEach(function (s) {
      parts.push({
        step: s.step, status: s.status, from: Date.parse(s.started_at),
        to: s.finished_at ? Date.parse(s.finished_at) : (view.result === 'building' ? Date.now() : tEnd)
      });
    });
    var span = Math.max(tEnd - t0, 1);
    var words = [];
    parts.forEach(function (p) {
      var li = el('li', 't-' + (['passed', 'failed', 'running', 'queued'].indexOf(p.status) >= 0 ? p.status : 'other'), p.step);
      li.style.left = Math.max(0, (p.from - t0) / span * 100) + '%';
      li.style.width = Math.max(0.4, (p.to - p.from) / span * 100) + '%';
      var label = p.step + ' ' + duration(p.to - p.from) + (p.status === 'queued' ? '' : ' (' + p.status + ')');
      li.title = label;
      li.setAttribute('aria-label', label);
      bar.appendChild(li);
      words.push(label);
    });
    legend.textContent = words.join(' · ');
  }

  function timelineEntry(name) {
    var t = view.timeline || [];
    for (var i = 0; i < t.length; i++) if (t[i].step === name) return t[i];
    return null;
  }

  function updateSteps() {
    sectionList.forEach(function (s) {
      var t = timelineEntry(s.name);
      var status = t ? t.status : (s === sectionList[sectionList.length - 1] && view.result === 'building' ? 'running' : '');
      s.statusEl.textContent = status || 'log';
      s.statusEl.className = 'badge r-' + (status || 'pending');
      s.details.dataset.status = status;
      s.startEl.textContent = t && t.started_at ? 'started ' + time(t.started_at) : '';
      var ms = t && t.started_at
        ? (t.finished_at ? Date.parse(t.finished_at) : Date.now()) - Date.parse(t.started_at)
        : null;
      s.durationEl.textContent = ms === null ? '' : duration(ms);
      var commands = t ? t.commands : [];
      if (commands.length) {
        var first = commands[0].split('\n')[0];
        s.commandEl.textContent = '$ ' + first + (commands.length > 1 || commands[0].indexOf('\n') >= 0 ? ' …' : '');
        s.commandEl.title = commands.join('\n');
      } else {
        s.commandEl.textContent = '';
      }
      var gate = (view.gates || []).filter(function (g) { return 'gate:' + g.name === s.name; })[0];
      clear(s.failuresEl);
      if (gate) {
        if (gate.summary) s.failuresEl.appendChild(el('li', null, gate.summary));
        (gate.failures || []).forEach(function (f) {
          var li = el('li');
          li.appendChild(el('b', null, f.name));
          if (f.file) li.appendChild(el('code', null, ' ' + f.file + (f.line ? ':' + f.line : '')));
          if (f.message) li.appendChild(document.createTextNode(' ' + f.message));
          s.failuresEl.appendChild(li);
        });
      }
    });
  }

  function renderArtifacts() {
    var block = document.getElementById('artifacts-block');
    var body = document.querySelector('#artifacts tbody');
    clear(body);
    var artifacts = view.artifacts || [];
    block.hidden = artifacts.length === 0;
    artifacts.forEach(function (a) {
      var tr = el('tr');
      var name = el('td');
      var link = el('a', null, a.path);
      link.href = '/runs/' + runId + '/artifacts/' + a.path.split('/').map(encodeURIComponent).join('/');
      link.setAttribute('download', a.path.split('/').pop());
      name.appendChild(link);
      tr.appendChild(name);
      tr.appendChild(el('td', null, bytes(a.size)));
      var sha = el('td', 'mono', a.sha256.slice(0, 16) + '…');
      sha.title = a.sha256;
      tr.appendChild(sha);
      body.appendChild(tr);
    });
  }

  function renderHistory() {
    var restarts = document.getElementById('restarts');
    clear(restarts);
    (view.restarts || []).forEach(function (r) {
      restarts.appendChild(el('li', null, dateTime(r.restarted_at) + ': ' + r.note));
    });
    var body = document.querySelector('#notifications tbody');
    clear(body);
    var notifications = view.notifications || [];
    document.getElementById('notifications').hidden = notifications.length === 0;
    notifications.forEach(function (n) {
      var tr = el('tr');
      [n.target.type + ' ' + n.target.url, n.event, n.state, n.attempts, n.last_error].forEach(function (v) {
        tr.appendChild(el('td', null, v));
      });
      body.appendChild(tr);
    });
    document.getElementById('history-block').hidden =
      notifications.length === 0 && (view.restarts || []).length === 0;
  }

  function refreshView() {
    return getJson('/runs/' + runId).then(function (v) {
      view = v;
      renderView();
    });
  }

  // ------------------------------------------------------------------ search on the server

  document.getElementById('search').addEventListener('submit', function (e) {
    e.preventDefault();
    var grep = document.getElementById('grep').value;
    var status = document.getElementById('search-status');
    var hits = document.getElementById('hits');
    clear(hits);
    if (!grep) { status.textContent = ''; return; }
    status.textContent = 'searching…';
    var url = '/runs/' + runId + '/logs?grep=' + encodeURIComponent(grep) +
      (document.getElementById('literal').checked ? '&literal=true' : '');
    getJson(url).then(function (found) {
      status.textContent = found.matches.length + ' matching line' + (found.matches.length === 1 ? '' : 's') +
        ' of ' + found.lines_searched + (found.note ? ' (' + found.note + ')' : '');
      found.matches.forEach(function (m) {
        var li = el('li');
        var a = el('a', null, 'L' + m.line);
        a.href = '#L' + m.line;
        li.appendChild(a);
        li.appendChild(el('span', 'muted', ' ' + m.step + ' '));
        li.appendChild(document.createTextNode(m.text));
        hits.appendChild(li);
      });
    }, function (err) {
      status.textContent = err.message;
    });
  });

  // ------------------------------------------------------------------ live

  var live = view.result === 'building';
  renderView();
  readHash();

  if (!view.retention) {
    var stream = new EventSource('/runs/' + runId + '/logs');
    stream.addEventListener('log', function (e) { addChunk(JSON.parse(e.data)); });
    stream.addEventListener('phase', function (e) {
      view.phase = JSON.parse(e.data).phase;
      setText('phase', view.phase);
      if (view.phase !== 'queued') setText('waiting', '');
    });
    stream.addEventListener('end', function (e) {
      stream.close(); // otherwise EventSource reconnects and replays
      var end = JSON.parse(e.data);
      view.result = end.result;
      view.failure_summary = end.failure_summary;
      live = false;
      refreshView().then(function () {
        flush();
        locateError();
      }, function () {
        renderView();
        flush();
        locateError();
      });
    });
  }

  if (live) {
    var poll = setInterval(function () {
      if (!live) { clearInterval(poll); return; }
      refreshView().catch(function () { /* the next poll tries again */ });
    }, POLL_MS);
    setInterval(function () { if (live) { updateSteps(); renderTimeline(); } }, 1000);
  }
})();

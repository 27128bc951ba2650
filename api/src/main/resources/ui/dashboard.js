// The runs dashboard: GET /runs (newest first, filtered by repository, branch and result, which
// live in the page's URL) and GET /state (each lane's latest run), read again every few seconds.
// Polling, not a stream: the api has no stream of ledger changes across its instances, one page of
// runs is one indexed query, and a poll needs nothing to resume after the api restarts.
(function () {
  'use strict';

  var POLL_MS = 2000;
  var LIMIT = 50;
  var FILTERS = ['repo', 'branch', 'result'];
  var inputs = { repo: byId('f-repo'), branch: byId('f-branch'), result: byId('f-result') };
  var timer = 0;
  var generation = 0;

  function byId(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); }
  function duration(s) {
    if (s === null || s === undefined) return '';
    if (s < 120) return s + ' s';
    var m = Math.floor(s / 60);
    if (m < 120) return m + ' min ' + (s % 60) + ' s';
    return Math.floor(m / 60) + ' h ' + (m % 60) + ' min';
  }
  function ago(iso) {
    if (!iso) return '';
    var s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
    if (s < 60) return s + ' s ago';
    if (s < 3600) return Math.floor(s / 60) + ' min ago';
    if (s < 86400) return Math.floor(s / 3600) + ' h ago';
    return new Date(iso).toLocaleDateString();
  }

  function filters() {
    var f = {};
    FILTERS.forEach(function (k) {
      var v = inputs[k].value.trim();
      if (v) f[k] = v;
    });
    return f;
  }
  function query(f) {
    return Object.keys(f).map(function (k) {
      return encodeURIComponent(k) + '=' + encodeURIComponent(f[k]);
    }).join('&');
  }

  function fromUrl() {
    var params = new URLSearchParams(location.search);
    FILTERS.forEach(function (k) { inputs[k].value = params.get(k) || ''; });
  }

  function changed() {
    var q = query(filters());
    history.replaceState(null, '', q ? '?' + q : location.pathname);
    refresh();
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

  function refresh() {
    clearTimeout(timer);
    var mine = ++generation;
    var f = filters();
    f.limit = LIMIT;
    Promise.all([getJson('/runs?' + query(f)), getJson('/state')]).then(function (answers) {
      if (mine !== generation) return; // the filters changed meanwhile
      renderRuns(answers[0].runs);
      renderLanes(answers[1]);
      byId('status').textContent = 'updated ' + new Date().toLocaleTimeString();
    }, function (err) {
      if (mine !== generation) return;
      byId('status').textContent = 'could not read the runs: ' + err.message + '; retrying';
    }).then(function () {
      if (mine === generation) timer = setTimeout(refresh, document.hidden ? POLL_MS * 5 : POLL_MS);
    });
  }

  function cell(tr, cls, content) {
    var td = el('td', cls);
    if (content instanceof Node) td.appendChild(content);
    else td.textContent = content === null || content === undefined ? '' : String(content);
    tr.appendChild(td);
    return td;
  }
  function link(text, href) {
    var a = el('a', null, text);
    a.href = href;
    return a;
  }

  var seenRepos = {}, seenBranches = {};
  function remember(map, list, value) {
    if (!value || map[value]) return;
    map[value] = true;
    var option = el('option');
    option.value = value;
    byId(list).appendChild(option);
  }

  // Rows are kept by run and rewritten only when their run changed, so a reader's focus (a link
  // reached with the keyboard) and selection survive the polls.
  var rowsByRun = {};

  function renderRuns(runs) {
    var body = document.querySelector('#runs tbody');
    var keep = {};
    runs.forEach(function (run, i) {
      remember(seenRepos, 'repos', run.repo);
      remember(seenBranches, 'branches', run.branch || run.ref);
      var signature = JSON.stringify(run);
      var tr = rowsByRun[run.run_id];
      if (!tr) {
        tr = rowsByRun[run.run_id] = el('tr');
        tr.dataset.run = run.run_id;
      }
      if (tr.dataset.signature !== signature) {
        tr.dataset.signature = signature;
        fillRow(tr, run);
      } else {
        tr.querySelector('td.queued').textContent = ago(run.queued_at);
      }
      keep[run.run_id] = true;
      if (body.children[i] !== tr) body.insertBefore(tr, body.children[i] || null);
    });
    Object.keys(rowsByRun).forEach(function (id) {
      if (!keep[id]) {
        body.removeChild(rowsByRun[id]);
        delete rowsByRun[id];
      }
    });
    byId('empty').hidden = runs.length !== 0;
  }

  function fillRow(tr, run) {
    clear(tr);
    tr.dataset.result = run.result;
    cell(tr, null, link('#' + run.run_id, '/runs/' + run.run_id));
    var result = el('span', 'badge r-' + run.result, run.result);
    var r = cell(tr, 'result', result);
    if (run.result === 'building') r.appendChild(el('span', 'muted', ' ' + run.phase));
    cell(tr, 'mono', run.repo);
    cell(tr, null, run.branch || run.ref || '');
    cell(tr, null, run.mr ? '!' + run.mr : '');
    cell(tr, null, run.arch);
    cell(tr, null, duration(run.elapsed_s));
    var queued = cell(tr, 'queued', ago(run.queued_at));
    queued.title = run.queued_at;
    var summary = run.failure_summary ? run.failure_summary.split('\n')[0] : '';
    if (run.superseded_by) summary = summary || 'superseded by run ' + run.superseded_by;
    if (run.cancelled_by) summary = summary || 'cancelled by ' + run.cancelled_by;
    var s = cell(tr, 'summary', summary);
    if (run.failure_summary) s.title = run.failure_summary;
    cell(tr, null, run.temporal && run.temporal.ui_url ? link('workflow', run.temporal.ui_url) : '');
  }

  function renderLanes(lanes) {
    var list = byId('lanes');
    clear(list);
    lanes.forEach(function (lane) {
      var li = el('li');
      var a = link(lane.lane + ' ', '/runs/' + lane.run_id);
      a.appendChild(el('span', 'badge r-' + lane.result, lane.result));
      li.appendChild(a);
      list.appendChild(li);
    });
  }

  FILTERS.forEach(function (k) {
    inputs[k].addEventListener('change', changed);
  });
  byId('f-clear').addEventListener('click', function () {
    FILTERS.forEach(function (k) { inputs[k].value = ''; });
    changed();
  });
  window.addEventListener('popstate', function () { fromUrl(); refresh(); });
  document.addEventListener('visibilitychange', function () { if (!document.hidden) refresh(); });

  fromUrl();
  refresh();
})();

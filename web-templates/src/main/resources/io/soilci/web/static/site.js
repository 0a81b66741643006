// Soil site: optional comforts. Pages are complete without this script.
(function () {
  'use strict';

  // Click a column head of a .sortable table to sort by it (numbers by data-sort when set).
  function sortable(table) {
    table.classList.add('js');
    var heads = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(heads, function (th, col) {
      th.addEventListener('click', function () {
        var ascending = th.getAttribute('aria-sort') !== 'ascending';
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = key(a.cells[col]), y = key(b.cells[col]);
          var c = (typeof x === 'number' && typeof y === 'number') ? x - y : String(x).localeCompare(String(y));
          return ascending ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }

  function key(cell) {
    if (!cell) { return ''; }
    var s = cell.getAttribute('data-sort');
    if (s !== null && s !== '' && !isNaN(Number(s))) { return Number(s); }
    var t = cell.textContent.trim();
    return /^\d+$/.test(t) ? Number(t) : t;
  }

  // While something runs: one event stream from the server (/live/events) says when the page
  // was written and brings the running tasks' new log lines; the page is then fetched and only
  // the parts of <main> that differ are replaced. Without EventSource, or when the server has no
  // stream for us (a plain web server, or 503 past its caps), the page polls its small JSON
  // mirror (a run's json/index.json, a host's index.json) instead.
  function pollMs() { return window.soilPollMs || 5000; }

  // The site's root URL, from this script's own address (…/web/site.js).
  var script = document.currentScript;
  var siteRoot = script ? script.src.replace(/web\/site\.js([?#].*)?$/, '') : '';

  function liveRefresh() {
    if (!document.querySelector('.running') || !window.fetch) {
      closeStream();
      return;
    }
    if (window.EventSource && siteRoot && !live.noStream) {
      openStream();
    } else {
      pollPage();
    }
  }

  function pollPage() {
    if (live.timer) { return; }
    live.timer = setTimeout(function () {
      live.timer = 0;
      if (document.hidden) { liveRefresh(); return; }
      var mirror = document.getElementById('run') ? 'json/index.json' :
        document.querySelector('p.views') ? 'index.json' : location.href;
      fetch(mirror, { cache: 'no-store' })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (text) {
          if (text === live.seen) { return; }
          live.seen = text;
          return mirror === location.href ? swapMain(text) : fetchMain();
        })
        .catch(function () { /* try again at the next tick */ })
        .then(liveRefresh);
    }, pollMs());
  }

  function fetchMain() {
    return fetch(location.href, { cache: 'no-store' }).then(function (r) {
      live.modified = Date.parse(r.headers.get('Last-Modified') || '') || live.modified;
      return r.text();
    }).then(swapMain);
  }

  // The page's path from the site root, as the server names pages (a folder is its index.html).
  function pagePath() {
    var root = new URL(siteRoot).pathname;
    var path = location.pathname.indexOf(root) === 0 ? location.pathname.slice(root.length) : '';
    return decodeURIComponent(path.slice(-1) === '/' || path === '' ? path + 'index.html' : path);
  }

  // The running tasks whose tails this page shows: HOST-jobs/RUN/JOB/TASK from each live-log link.
  function runningTails() {
    return Array.prototype.map.call(document.querySelectorAll('tr.running a.live-log'), function (a) {
      return tailOf(a);
    }).sort();
  }

  function tailOf(a) {
    var m = /\/live\/(.+)\.txt$/.exec(new URL(a.href).pathname);
    return m ? decodeURIComponent(m[1]) : '';
  }

  function openStream() {
    var tailsNow = runningTails();
    var key = tailsNow.join(' ');
    if (live.stream && live.streamKey === key) { return; }
    closeStream();
    var url = siteRoot + 'live/events?page=' + encodeURIComponent(pagePath()) +
      tailsNow.map(function (t) { return '&tail=' + encodeURIComponent(t + '@' + tailState(t).offset); }).join('') +
      // What the page shows is as of this time: a change before the stream is registered is then
      // still told (a 'page' event at once), not lost between two streams.
      (live.modified ? '&seen=' + live.modified : '');
    var stream = new EventSource(url);
    live.stream = stream;
    live.streamKey = key;
    stream.addEventListener('page', function () {
      fetchMain().catch(function () { /* the next notice or a reload brings it */ });
    });
    stream.addEventListener('log', function (e) {
      var data = JSON.parse(e.data);
      var tail = tailState(data.tail);
      var text = (data.start > tail.offset ? '[\u2026 ' + (data.start - tail.offset) + ' bytes not kept \u2026]\n' : '') + data.text;
      tail.offset = data.end;
      showTail(tail, text);
    });
    stream.addEventListener('error', function () {
      // CLOSED: refused (503) or no stream here: poll instead. Else the browser reconnects itself,
      // sending the last event's id, and the server resumes each tail where it was.
      if (stream.readyState === EventSource.CLOSED && live.stream === stream) {
        live.stream = null;
        live.noStream = true;
        liveRefresh();
        liveLogs();
      }
    });
  }

  function closeStream() {
    if (live.stream) {
      live.stream.close();
      live.stream = null;
      live.streamKey = null;
    }
  }

  var live = { timer: 0, seen: null, stream: null, streamKey: null, noStream: false,
    modified: Date.parse(document.lastModified) || 0 };

  // Replaces each child of <main> whose HTML changed; unchanged ones (and what the script added
  // to them) stay as they are, so nothing flickers and the scroll position holds.
  function swapMain(html) {
    var fresh = new DOMParser().parseFromString(html, 'text/html').querySelector('main');
    var main = document.querySelector('main');
    if (!fresh || !main) { return; }
    var now = Array.prototype.slice.call(main.children);
    var next = Array.prototype.slice.call(fresh.children);
    if (now.length !== next.length) {
      now.forEach(function (el) { main.removeChild(el); });
      next.forEach(function (el) { main.appendChild(remember(document.importNode(el, true))); });
    } else {
      next.forEach(function (el, i) {
        if (now[i].soilSource !== el.outerHTML) {
          main.replaceChild(remember(document.importNode(el, true)), now[i]);
        }
      });
    }
    init();
  }

  function remember(el) {
    el.soilSource = el.outerHTML;
    return el;
  }

  // On a run page: each task's status in the job's previous runs (from the JSON mirrors).
  var HISTORY = 10;
  var history = { commit: '', commits: {}, shown: null };

  function taskHistory() {
    var marker = document.getElementById('run');
    if (!marker || !window.fetch || location.protocol === 'file:') { return; }
    var run = marker.getAttribute('data-run');
    if (history.shown) { showHistory(history.shown.runs, history.shown.pages); return; }
    getJson('../index.json').then(function (host) {
      var at = host.runs.map(function (r) { return r.run; }).indexOf(run);
      if (at < 0) { return; }
      var self = host.runs[at];
      var older = host.runs.slice(at + 1).filter(function (r) {
        return !self.branch || r.branch === self.branch;
      }).slice(0, HISTORY).map(function (r) { return r.run; }).reverse();
      var commits = {};
      host.runs.forEach(function (r) { commits[r.run] = r.commit; });
      history.commit = self.commit;
      history.commits = commits;
      return Promise.all(older.map(function (r) {
        return getJson('../' + r + '/json/index.json').catch(function () { return null; });
      })).then(function (pages) {
        history.shown = { runs: older, pages: pages };
        showHistory(older, pages);
      });
    }).catch(function () { /* history is a comfort; the page is complete without it */ });
  }

  function getJson(url) {
    return fetch(url, { cache: 'no-store' }).then(function (r) {
      return r.ok ? r.json() : Promise.reject(r.status);
    });
  }

  function showHistory(runs, pages) {
    var status = {};  // job -> task -> [status per run]
    var seconds = {};  // job -> task -> [elapsed seconds per run]
    pages.forEach(function (page, i) {
      (page ? page.jobs : []).forEach(function (job) {
        (job.tasks || []).forEach(function (t) {
          var tasks = status[job.job] = status[job.job] || {};
          (tasks[t.task] = tasks[t.task] || [])[i] = t.status;
          var times = seconds[job.job] = seconds[job.job] || {};
          (times[t.task] = times[t.task] || [])[i] = t.elapsedSeconds;
        });
      });
    });
    Array.prototype.forEach.call(document.querySelectorAll('table.tasks'), function (table) {
      if (table.soilHistory) { return; }
      table.soilHistory = true;
      var job = table.getAttribute('data-job');
      var head = document.createElement('th');
      head.textContent = 'previous runs';
      table.tHead.rows[0].appendChild(head);
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        if (row.classList.contains('live-tail') || row.classList.contains('brief')) { return; }
        var cell = row.insertCell(-1);
        cell.className = 'history';
        var seen = (status[job] || {})[row.getAttribute('data-task')] || [];
        runs.forEach(function (r, i) {
          var a = document.createElement('a');
          var s = seen[i];
          a.className = 'dot ' + (s === undefined ? 'none' : s === 0 ? 'pass' : 'fail');
          a.href = '../' + r + '/index.html#job-' + job;
          a.title = 'run ' + r + ': ' + (s === undefined ? 'not run' : 'status ' + s);
          cell.appendChild(a);
        });
        var task = row.getAttribute('data-task');
        var times = ((seconds[job] || {})[task] || []).slice();
        var mine = row.cells[2] && row.cells[2].getAttribute('data-seconds');
        if (mine !== null && mine !== undefined) { times.push(Number(mine)); }
        cell.appendChild(sparkline(times));
        if (row.classList.contains('pass') && failedOnThisCommit(runs, seen)) {
          var tag = document.createElement('span');
          tag.className = 'tag flaky';
          tag.textContent = 'flaky';
          tag.title = 'failed in an earlier run of this commit, passed now';
          row.cells[0].appendChild(document.createTextNode(' '));
          row.cells[0].appendChild(tag);
        }
      });
    });
  }

  // A failure of this task in an earlier run of the same commit: it failed, then passed.
  function failedOnThisCommit(runs, seen) {
    return runs.some(function (r, i) {
      return history.commit && history.commits[r] === history.commit && seen[i] !== undefined && seen[i] !== 0;
    });
  }

  // A small inline SVG of the task's durations, oldest first (gaps where it did not run).
  function sparkline(times) {
    var ns = 'http://www.w3.org/2000/svg';
    var svg = document.createElementNS(ns, 'svg');
    var w = 60, h = 14;
    svg.setAttribute('class', 'spark');
    svg.setAttribute('width', w);
    svg.setAttribute('height', h);
    svg.setAttribute('viewBox', '0 0 ' + w + ' ' + h);
    var known = times.filter(function (t) { return typeof t === 'number' && !isNaN(t); });
    if (known.length < 2) { return svg; }
    // Scaled from the fastest to the slowest run shown, so a slow-down stands out; the title
    // holds the seconds.
    var max = Math.max.apply(null, known), min = Math.min.apply(null, known);
    var range = max - min || 1;
    var step = w / Math.max(1, times.length - 1);
    var points = [];
    times.forEach(function (t, i) {
      if (typeof t === 'number' && !isNaN(t)) {
        var y = max === min ? h / 2 : h - 2 - ((t - min) / range) * (h - 4);
        points.push((i * step).toFixed(1) + ',' + y.toFixed(1));
      }
    });
    var line = document.createElementNS(ns, 'polyline');
    line.setAttribute('points', points.join(' '));
    svg.appendChild(line);
    var title = document.createElementNS(ns, 'title');
    title.textContent = 'durations, oldest first: ' + known.map(function (t) { return Math.round(t) + ' s'; }).join(', ');
    svg.appendChild(title);
    return svg;
  }

  // Running things: the elapsed time ticks next to each element with data-since (epoch seconds).
  function tick() {
    var now = Date.now() / 1000;
    Array.prototype.forEach.call(document.querySelectorAll('[data-since]'), function (el) {
      var since = Number(el.getAttribute('data-since'));
      if (!since) { return; }
      var out = el.querySelector('.ticking');
      if (!out) {
        out = document.createElement('span');
        out.className = 'ticking';
        el.appendChild(out);
      }
      out.textContent = ' \u00b7 ' + clock(Math.max(0, now - since));
    });
    // A running run's wall time: from its first job's start until now.
    Array.prototype.forEach.call(document.querySelectorAll('[data-wall-since]'), function (el) {
      var since = Number(el.getAttribute('data-wall-since'));
      if (since) { el.textContent = clock(Math.max(0, now - since)); }
    });
  }

  function clock(seconds) {
    var s = Math.floor(seconds), m = Math.floor(s / 60), h = Math.floor(m / 60);
    var mm = h ? String(m % 60).padStart(2, '0') : String(m);
    return (h ? h + ':' : '') + mm + ':' + String(s % 60).padStart(2, '0');
  }

  // Under a running task: its log as the server receives it, from the page's event stream (or
  // polled from the live-log link). Text only: every chunk goes in as a text node, never parsed
  // as HTML.
  var tails = {};  // HOST-jobs/RUN/JOB/TASK -> { offset, text, decoder, pre }
  var MAX_TAIL_CHARS = 200000;

  function tailState(id) {
    return tails[id] = tails[id] || { offset: 0, text: '', decoder: new TextDecoder(), pre: null };
  }

  function liveLogs() {
    Array.prototype.forEach.call(document.querySelectorAll('tr.running a.live-log'), function (a) {
      var row = a.closest('tr');
      var tail = tailState(tailOf(a));
      if (!row.nextElementSibling || !row.nextElementSibling.classList.contains('live-tail')) {
        var tr = document.createElement('tr');
        tr.className = 'live-tail';
        var td = tr.insertCell(-1);
        td.colSpan = 99;
        var pre = document.createElement('pre');
        pre.className = 'log';
        td.appendChild(pre);
        row.parentNode.insertBefore(tr, row.nextSibling);
        pre.textContent = tail.text;
        tail.pre = pre;
      }
      if (!live.stream && !tail.polling) {
        tail.polling = true;
        followTail(a.href.split('?')[0], tail);
      }
    });
  }

  function showTail(tail, text) {
    var pre = tail.pre;
    if (!text) { return; }
    tail.text = (tail.text + text).slice(-MAX_TAIL_CHARS);
    if (!pre || !document.contains(pre)) { return; }
    var atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
    if (tail.text.length < MAX_TAIL_CHARS) {
      pre.appendChild(document.createTextNode(text));
    } else {
      pre.textContent = tail.text;
    }
    if (atBottom) { pre.scrollTop = pre.scrollHeight; }
  }

  function followTail(url, tail) {
    if (live.stream || !tail.pre || !document.contains(tail.pre)) {
      tail.polling = false;
      return;
    }
    fetch(url + '?offset=' + tail.offset, { cache: 'no-store' }).then(function (r) {
      if (!r.ok) { return Promise.reject(r.status); }
      if (r.status === 204) { return; }
      var start = Number(r.headers.get('X-Soil-Log-Start'));
      var end = Number(r.headers.get('X-Soil-Log-End'));
      return r.arrayBuffer().then(function (bytes) {
        var text = (start > tail.offset ? '[\u2026 ' + (start - tail.offset) + ' bytes not kept \u2026]\n' : '') +
          tail.decoder.decode(bytes, { stream: true });
        tail.offset = end;
        showTail(tail, text);
      });
    }).then(function () {
      setTimeout(function () { followTail(url, tail); }, Math.min(2000, pollMs()));
    }, function () {
      // the server is away: try again a little later
      setTimeout(function () { followTail(url, tail); }, 5 * Math.min(2000, pollMs()));
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll('table.sortable:not(.js)'), sortable);
    taskHistory();
    liveRefresh();
    liveLogs();
    tick();
  }

  Array.prototype.forEach.call(document.querySelectorAll('main > *'), remember);
  init();
  setInterval(tick, 1000);
})();

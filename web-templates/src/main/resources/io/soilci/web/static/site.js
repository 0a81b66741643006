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

  // While something runs, fetch the page again now and then and swap in its main part.
  function liveRefresh() {
    if (!document.querySelector('.running')) { return; }
    setTimeout(function () {
      if (document.hidden) { liveRefresh(); return; }
      fetch(location.href, { cache: 'no-store' })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) {
          var fresh = new DOMParser().parseFromString(html, 'text/html').querySelector('main');
          var main = document.querySelector('main');
          if (fresh && main) { main.innerHTML = fresh.innerHTML; init(); }
        })
        .catch(function () { liveRefresh(); });
    }, 15000);
  }

  // On a run page: each task's status in the job's previous runs (from the JSON mirrors).
  var HISTORY = 5;

  function taskHistory() {
    var marker = document.getElementById('run');
    if (!marker || !window.fetch || location.protocol === 'file:') { return; }
    var run = marker.getAttribute('data-run');
    getJson('../index.json').then(function (host) {
      var runs = host.runs.map(function (r) { return r.run; });
      var at = runs.indexOf(run);
      if (at < 0) { return; }
      var older = runs.slice(at + 1, at + 1 + HISTORY).reverse();
      return Promise.all(older.map(function (r) {
        return getJson('../' + r + '/index.json').catch(function () { return null; });
      })).then(function (pages) { showHistory(older, pages); });
    }).catch(function () { /* history is a comfort; the page is complete without it */ });
  }

  function getJson(url) {
    return fetch(url, { cache: 'no-store' }).then(function (r) {
      return r.ok ? r.json() : Promise.reject(r.status);
    });
  }

  function showHistory(runs, pages) {
    var status = {};  // job -> task -> [status per run]
    pages.forEach(function (page, i) {
      (page ? page.jobs : []).forEach(function (job) {
        (job.tasks || []).forEach(function (t) {
          var tasks = status[job.job] = status[job.job] || {};
          (tasks[t.task] = tasks[t.task] || [])[i] = t.status;
        });
      });
    });
    Array.prototype.forEach.call(document.querySelectorAll('table.tasks'), function (table) {
      var job = table.getAttribute('data-job');
      var head = document.createElement('th');
      head.textContent = 'previous runs';
      table.tHead.rows[0].appendChild(head);
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
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
      });
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), sortable);
    taskHistory();
    liveRefresh();
  }

  init();
})();

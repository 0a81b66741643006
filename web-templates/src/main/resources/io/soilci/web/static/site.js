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

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), sortable);
    liveRefresh();
  }

  init();
})();

/* Soil log view: line ranges (#L120-L140) highlighted and scrolled to, line numbers that make
   such links, windows of a long log fetched without a reload; a running task's log followed
   from the server's event stream; search over the whole log. The page works without it. */
(function () {
  "use strict";
  var anchor = null;

  function range() {
    var m = /^#L(\d+)(?:-L(\d+))?$/.exec(location.hash);
    if (!m) return null;
    var a = +m[1], b = m[2] ? +m[2] : a;
    return a <= b ? [a, b] : [b, a];
  }

  function highlight() {
    var r = range();
    document.querySelectorAll("#lines div.hl").forEach(function (d) { d.classList.remove("hl"); });
    if (!r) return true;
    var first = document.getElementById("L" + r[0]);
    if (!first || !first.closest("#lines")) return false;
    for (var n = r[0]; n <= r[1]; n++) {
      var d = document.getElementById("L" + n);
      if (!d) break;
      d.classList.add("hl");
      for (var p = d.parentElement; p; p = p.parentElement) if (p.tagName === "DETAILS") p.open = true;
    }
    first.scrollIntoView({block: "center"});
    return true;
  }

  function windowUrl(line) {
    var w = Math.floor((line - 1) / 1000);
    return w === 0 ? "?view" : "?view&from=" + (w * 1000 + 1);
  }

  function load(url, push) {
    return fetch(url, {credentials: "same-origin"}).then(function (res) {
      if (!res.ok) throw new Error("HTTP " + res.status);
      return res.text();
    }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var main = doc.querySelector("main");
      if (!main) return;
      document.querySelector("main").replaceWith(document.importNode(main, true));
      var hash = url.indexOf("#") >= 0 ? url.slice(url.indexOf("#")) : "";
      var path = url.split("#")[0];
      history[push ? "pushState" : "replaceState"](null, "", path + hash);
      if (!highlight()) window.scrollTo(0, 0);
    }).catch(function () { location.href = url; });
  }

  function show() {
    if (highlight()) return;
    var r = range();
    if (r) load(windowUrl(r[0]) + location.hash, false);
  }

  document.addEventListener("click", function (e) {
    if (e.button !== 0 || e.ctrlKey || e.metaKey) return;
    var a = e.target.closest && e.target.closest("a");
    if (!a) return;
    var href = a.getAttribute("href") || "";
    if (a.classList.contains("n") && a.closest("#lines")) {
      e.preventDefault();
      var n = +a.getAttribute("data-n");
      var r = range();
      var hash = e.shiftKey && r && anchor ? "#L" + Math.min(anchor, n) + "-L" + Math.max(anchor, n) : "#L" + n;
      if (!e.shiftKey) anchor = n;
      history.pushState(null, "", location.pathname + location.search + hash);
      highlight();
    } else if (href.indexOf("?view") === 0) {
      e.preventDefault();
      load(href, true);
    }
  });
  // Follow mode (a running task's view): the server streams new lines, rendered as the page's.
  var follow = document.getElementById("follow");
  var following = true, ended = false;

  function atBottom() {
    return window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 40;
  }

  function toBottom() { window.scrollTo(0, document.documentElement.scrollHeight); }

  function followLabel(text, button) {
    follow.textContent = text;
    if (button) {
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = "follow";
      b.addEventListener("click", function () { following = true; toBottom(); followLabel("\u25cf following: new lines appear at the end"); });
      follow.appendChild(document.createTextNode(" "));
      follow.appendChild(b);
    }
  }

  function followTask() {
    if (!follow || follow.classList.contains("ended") || !window.EventSource) return;
    var stream = new EventSource(follow.getAttribute("data-stream"));
    // Into the search bar, which stays at the top: the state is in sight at the end of the log.
    var bar = document.querySelector("form.logsearch");
    if (bar) bar.appendChild(follow);
    follow.classList.add("on");
    followLabel("\u25cf following: new lines appear at the end");
    if (!location.hash) toBottom();
    stream.addEventListener("log", function (e) {
      var data = JSON.parse(e.data);
      var lines = document.getElementById("lines");
      lines.insertAdjacentHTML("beforeend", data.html);
      var last = lines.lastElementChild;
      var n = last && last.querySelector("a.n") ? +last.querySelector("a.n").getAttribute("data-n") : 0;
      var total = document.getElementById("total");
      if (total && n) total.textContent = n.toLocaleString("en-US");
      if (search.key) refreshSearch();
      if (following) toBottom();
    });
    stream.addEventListener("end", function (e) {
      var data = JSON.parse(e.data);
      stream.close();
      ended = true;
      follow.classList.remove("on");
      follow.classList.add("ended");
      followLabel("task ended (status " + data.status + ")");
      var status = document.querySelector("h1 .status");
      if (status) {
        status.className = "status " + (data.status === 0 ? "pass" : "fail");
        status.textContent = String(data.status);
      }
    });
    stream.addEventListener("error", function () {
      if (stream.readyState === EventSource.CLOSED && !ended) {
        follow.classList.remove("on");
        followLabel("not following: the server has no live stream for this page now; reload for new lines");
      }
    });
    window.addEventListener("scroll", function () {
      if (ended || !follow.classList.contains("on")) return;
      var bottom = atBottom();
      if (bottom !== following) {
        following = bottom;
        if (following) followLabel("\u25cf following: new lines appear at the end");
        else followLabel("paused: you scrolled up.", true);
      }
    });
  }

  // Search: a box over the lines; Enter / Shift+Enter step through the matching lines. A log
  // shown in windows is searched whole by the server (?search=), and a match in another window
  // loads that window; a running task's view holds all its lines and is searched in the page.
  var search = { key: "", lines: [], more: false, at: -1, pattern: null };
  var box, count;

  function searchBar() {
    var lines = document.getElementById("lines");
    if (!lines) return;
    var form = document.createElement("form");
    form.className = "logsearch";
    form.setAttribute("role", "search");
    box = document.createElement("input");
    box.type = "search";
    box.placeholder = "search the log";
    box.setAttribute("aria-label", "search the log");
    box.maxLength = 200;
    form.appendChild(box);
    var matchCase = option(form, "case", "match case");
    var regex = option(form, "regex", "regex");
    count = document.createElement("span");
    count.className = "count";
    count.setAttribute("aria-live", "polite");
    form.appendChild(count);
    form.appendChild(stepButton("\u2191", -1, "previous match (Shift+Enter)"));
    form.appendChild(stepButton("\u2193", 1, "next match (Enter)"));
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    box.addEventListener("keydown", function (e) {
      if (e.key === "Enter") { e.preventDefault(); find(e.shiftKey ? -1 : 1); }
      else if (e.key === "Escape") { box.value = ""; clearSearch(); }
    });
    [matchCase, regex].forEach(function (c) { c.addEventListener("change", function () { if (box.value) find(0); }); });
    document.addEventListener("keydown", function (e) {
      if (e.key === "/" && document.activeElement !== box && !/INPUT|TEXTAREA/.test(document.activeElement.tagName)) {
        e.preventDefault();
        box.focus();
      }
    });
    search.matchCase = matchCase;
    search.regex = regex;
    var top = document.querySelector("header.top");
    top.parentNode.insertBefore(form, top.nextSibling);
  }

  function option(form, name, text) {
    var label = document.createElement("label");
    var input = document.createElement("input");
    input.type = "checkbox";
    input.name = name;
    label.appendChild(input);
    label.appendChild(document.createTextNode(" " + text));
    form.appendChild(label);
    return input;
  }

  function stepButton(text, step, title) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    b.title = title;
    b.setAttribute("aria-label", title);
    b.addEventListener("click", function () { find(step); });
    return b;
  }

  // Runs the search when the query changed, else steps to the next (1) or previous (-1) match.
  function find(step) {
    var q = box.value;
    if (!q) { clearSearch(); return; }
    var key = q + "\u0000" + search.matchCase.checked + search.regex.checked;
    if (key === search.key && step !== 0) {
      if (!search.lines.length) return;
      search.at = (search.at + step + search.lines.length) % search.lines.length;
      return showMatch();
    }
    search.key = key;
    search.pattern = pattern(q);
    var found = follow ? Promise.resolve(pageMatches()) : serverMatches(q);
    found.then(function (r) {
      if (key !== search.key) return;
      search.lines = r.lines;
      search.more = r.more;
      search.at = r.lines.length ? firstBelowTop(r.lines) : -1;
      return showMatch();
    }).catch(function (message) {
      search.lines = [];
      search.at = -1;
      markAll();
      count.textContent = String(message);
      count.className = "count bad";
    });
  }

  function pattern(q) {
    var flags = search.matchCase.checked ? "g" : "gi";
    try {
      return new RegExp(search.regex.checked ? q : q.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), flags);
    } catch (e) {
      return null;
    }
  }

  function serverMatches(q) {
    var url = location.pathname + "?search=" + encodeURIComponent(q) +
      (search.matchCase.checked ? "&case=1" : "") + (search.regex.checked ? "&regex=1" : "");
    count.textContent = "searching\u2026";
    count.className = "count";
    return fetch(url, {credentials: "same-origin"}).then(function (res) {
      return res.ok ? res.json() : res.text().then(function (t) { return Promise.reject(t.trim()); });
    });
  }

  function pageMatches() {
    var lines = [];
    var re = search.pattern;
    if (!re) return Promise.reject("not a valid regular expression here");
    document.querySelectorAll("#lines div[id^=L]").forEach(function (d) {
      var t = d.querySelector(".t");
      re.lastIndex = 0;
      if (t && re.test(t.textContent)) lines.push(+d.id.slice(1));
    });
    return {lines: lines, more: false};
  }

  // New lines arrived while searching: count again, stay on the same match, do not scroll.
  function refreshSearch() {
    if (!search.pattern) return;
    var current = search.lines[search.at];
    search.lines = pageMatches().lines;
    search.at = search.lines.length ? Math.max(0, search.lines.indexOf(current)) : -1;
    markAll(false);
    counted();
  }

  // The first match at or below the top of the screen, so a search starts where one reads.
  function firstBelowTop(lines) {
    for (var i = 0; i < lines.length; i++) {
      var d = document.getElementById("L" + lines[i]);
      if (d && d.getBoundingClientRect().top >= 0) return i;
    }
    return 0;
  }

  function counted() {
    var m = search.lines.length;
    count.className = "count" + (m ? "" : " none");
    count.textContent = m ? (search.at + 1).toLocaleString("en-US") + " of " + m.toLocaleString("en-US") + (search.more ? "+" : "") : "no match";
  }

  function showMatch() {
    counted();
    if (search.at < 0) { markAll(); return; }
    var n = search.lines[search.at];
    var there = document.getElementById("L" + n);
    if (there && there.closest("#lines")) { markAll(); return; }
    return load(windowUrl(n), true).then(function () { markAll(); });
  }

  function clearSearch() {
    search.key = "";
    search.lines = [];
    search.at = -1;
    markAll();
    if (count) { count.textContent = ""; count.className = "count"; }
  }

  // Marks the matching lines in the page (and the text that matched), the current one set apart.
  function markAll(scroll) {
    document.querySelectorAll("#lines mark.m").forEach(function (m) {
      var parent = m.parentNode;
      parent.replaceChild(document.createTextNode(m.textContent), m);
      parent.normalize();
    });
    document.querySelectorAll("#lines div.hit").forEach(function (d) { d.classList.remove("hit", "hit-now"); });
    var current = search.lines[search.at];
    search.lines.forEach(function (n) {
      var d = document.getElementById("L" + n);
      if (!d || !d.closest("#lines")) return;
      d.classList.add("hit");
      if (search.pattern) markText(d.querySelector(".t"));
      if (n === current) {
        d.classList.add("hit-now");
        for (var p = d.parentElement; p; p = p.parentElement) if (p.tagName === "DETAILS") p.open = true;
        if (scroll !== false) d.scrollIntoView({block: "center"});
      }
    });
  }

  function markText(el) {
    if (!el) return;
    var walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    var nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    nodes.forEach(function (node) {
      var text = node.nodeValue, re = search.pattern, m, last = 0, parts = [];
      re.lastIndex = 0;
      while ((m = re.exec(text)) && m[0].length) {
        parts.push(document.createTextNode(text.slice(last, m.index)));
        var mark = document.createElement("mark");
        mark.className = "m";
        mark.textContent = m[0];
        parts.push(mark);
        last = m.index + m[0].length;
      }
      if (!parts.length) return;
      parts.push(document.createTextNode(text.slice(last)));
      parts.forEach(function (p) { node.parentNode.insertBefore(p, node); });
      node.parentNode.removeChild(node);
    });
  }

  window.addEventListener("hashchange", show);
  window.addEventListener("popstate", function () { load(location.pathname + location.search + location.hash, false); });
  function start() {
    searchBar();
    show();
    followTask();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();

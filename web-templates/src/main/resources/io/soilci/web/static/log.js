/* Soil log view: line ranges (#L120-L140) highlighted and scrolled to, line numbers that make
   such links, windows of a long log fetched without a reload. The page works without it. */
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
  window.addEventListener("hashchange", show);
  window.addEventListener("popstate", function () { load(location.pathname + location.search + location.hash, false); });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", show); else show();
})();

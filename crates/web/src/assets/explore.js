// The playground, made immediate. Without this file the page is a plain
// GET form and works the same; with it, a change (a select, a click on a
// ring of the chart) fetches the same page for the new link and swaps it
// in, so the server's rules are the only ones. Ours; no libraries.
(function () {
  "use strict";
  var root = document.getElementById("explore");
  if (!root || !window.fetch || !window.DOMParser) { return; }
  var base = root.getAttribute("data-base");

  function linkFor(form) {
    var parts = [];
    form.querySelectorAll("select[data-ability]").forEach(function (s) {
      if (s.value !== "0") { parts.push(s.getAttribute("data-ability") + ":" + s.value); }
    });
    return parts.length ? base + "?m=" + parts.join(",") : base;
  }

  function update(url, focusId) {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        var next = new DOMParser().parseFromString(html, "text/html").getElementById("explore");
        if (!next) { window.location.href = url; return; }
        root.innerHTML = next.innerHTML;
        history.replaceState(null, "", url);
        wire();
        var f = focusId && document.getElementById(focusId);
        if (f) { f.focus(); }
      })
      .catch(function () { window.location.href = url; });
  }

  function wire() {
    var form = root.querySelector("form.explore-form");
    if (form) {
      form.addEventListener("change", function (e) {
        update(linkFor(form), e.target && e.target.id);
      });
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        update(linkFor(form));
      });
    }
    root.querySelectorAll("svg g.wedge").forEach(function (g) {
      var paths = g.querySelectorAll("path");
      paths.forEach(function (p, i) {
        p.style.cursor = "pointer";
        p.addEventListener("click", function () {
          var select = form && form.querySelector("select[data-ability='" + g.getAttribute("data-ability") + "']");
          if (!select) { return; }
          var level = i + 1;
          // A second click on the ring already reached steps back one.
          select.value = String(String(level) === select.value ? level - 1 : level);
          update(linkFor(form), select.id);
        });
      });
    });
    var copy = root.querySelector("button[data-copy]");
    var field = document.getElementById("explore-link");
    if (copy && field && navigator.clipboard) {
      copy.hidden = false;
      copy.addEventListener("click", function () {
        navigator.clipboard.writeText(field.value).then(function () {
          copy.textContent = "Link copied";
        });
      });
    }
  }
  wire();
})();

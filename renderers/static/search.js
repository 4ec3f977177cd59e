/* gardend static-site search: runs in the browser over /searchIndex.json (published notes only),
 * so the static site needs no server. Same rules as the preview server's /search: every word
 * must occur in the title, tags or text (case-insensitive); title hits first; 50 results.
 * Results are built with textContent, never innerHTML: note text cannot inject markup.
 */
(function () {
  "use strict";
  var LIMIT = 50;

  function snippetOf(content, word) {
    var at = word ? content.toLowerCase().indexOf(word) : -1;
    if (at < 0) return content.slice(0, 180);
    var start = Math.max(0, at - 60);
    return (start ? "…" : "") + content.slice(start, start + 180).replace(/\n/g, " ") + "…";
  }

  function search(entries, query) {
    var words = query.toLowerCase().split(/\s+/).filter(function (w) { return w; });
    var found = [];
    entries.forEach(function (e) {
      var title = String(e.title || "").toLowerCase();
      var hay = [title, (e.tags || []).join(" ").toLowerCase(), String(e.content || "").toLowerCase()].join(" ");
      if (!words.every(function (w) { return hay.indexOf(w) >= 0; })) return;
      found.push({
        entry: e,
        rank: words.every(function (w) { return title.indexOf(w) >= 0; }) ? 0 : 1,
        snippet: snippetOf(String(e.content || ""), words[0])
      });
    });
    found.sort(function (a, b) {
      if (a.rank !== b.rank) return a.rank - b.rank;
      var x = String(a.entry.title).toLowerCase(), y = String(b.entry.title).toLowerCase();
      return x < y ? -1 : x > y ? 1 : 0;
    });
    return found.slice(0, LIMIT);
  }

  function show(status, list, query, results) {
    list.textContent = "";
    status.textContent = results.length + (results.length === 1 ? " result" : " results") + " for “" + query + "”";
    results.forEach(function (r) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.setAttribute("href", r.entry.url);
      a.textContent = r.entry.title;
      var p = document.createElement("p");
      p.className = "snippet";
      p.textContent = r.snippet;
      li.appendChild(a);
      li.appendChild(p);
      list.appendChild(li);
    });
  }

  function run() {
    var status = document.querySelector(".search-status");
    var list = document.querySelector(".search-results");
    if (!status || !list) return;
    var query = (new URLSearchParams(window.location.search).get("q") || "").trim().slice(0, 200);
    document.querySelectorAll('input[name="q"]').forEach(function (input) { input.value = query; });
    if (!query) { status.textContent = "Type words to search the published notes."; return; }
    status.textContent = "Searching…";
    fetch(status.getAttribute("data-search-index"))
      .then(function (resp) {
        if (!resp.ok) throw new Error("status " + resp.status);
        return resp.json();
      })
      .then(function (entries) { show(status, list, query, search(entries, query)); })
      .catch(function () { status.textContent = "The search index could not be loaded."; });
  }

  document.addEventListener("DOMContentLoaded", run);
})();

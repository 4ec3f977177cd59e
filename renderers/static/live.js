/* gardend live reload.
 *
 * Listens to /_live/events?url=<this page>: the server checks each batch of changes against
 * what this page depends on (its note, what it embeds, what its queries can read) and says
 * "reload" only then; no vault path reaches the browser, so this works without the API token
 * when the server is bound beyond loopback. The page's content is then swapped for a freshly
 * fetched copy, keeping the scroll position; on any failure the page reloads.
 * It reloads too when the note gains or loses a Mermaid diagram: only diagram pages load the
 * Mermaid scripts and get the policy that lets them style their SVG (both come with the page).
 * The event stream is closed while the page is hidden (see pagehide below).
 */
(function () {
  "use strict";
  var body = document.body;
  var pageUrl = body && body.getAttribute("data-live-url");
  if (!pageUrl || !window.EventSource || !window.fetch) return;
  var busy = false;
  var again = false;

  function hasDiagrams(doc) {
    return doc.querySelector('script[src$="/mermaid-init.js"]') !== null;
  }

  function swap() {
    if (busy) { again = true; return; }
    busy = true;
    fetch(window.location.href, { cache: "no-store", credentials: "same-origin" })
      .then(function (resp) {
        if (!resp.ok) throw new Error("status " + resp.status);
        return resp.text();
      })
      .then(function (text) {
        var doc = new DOMParser().parseFromString(text, "text/html");
        if (hasDiagrams(doc) !== hasDiagrams(document)) { window.location.reload(); return; }
        ["page-main", "page-aside", "page-nav"].forEach(function (id) {
          var now = document.getElementById(id);
          var fresh = doc.getElementById(id);
          if (now && fresh) now.replaceWith(document.importNode(fresh, true));
        });
        document.title = doc.title;
        body.setAttribute("data-live-updated", String(Date.now()));
        document.dispatchEvent(new Event("gardend:updated"));
      })
      .catch(function () { window.location.reload(); })
      .then(function () {
        busy = false;
        if (again) { again = false; swap(); }
      });
  }

  var source = null;

  function connect() {
    source = new EventSource("/_live/events?url=" + encodeURIComponent(pageUrl));
    source.onopen = function () { body.setAttribute("data-live-connected", "1"); };
    source.onmessage = function (event) {
      var msg;
      try { msg = JSON.parse(event.data); } catch (e) { return; }
      if (msg.type === "reload") swap();
    };
  }

  // A page kept in the back/forward cache would keep its event stream open: after a few pages
  // the browser's connections to this host (six) are all held by hidden pages and the next
  // page never loads. Close the stream when the page is hidden; when it is shown again from
  // that cache, reconnect and fetch its content afresh (changes made meanwhile were missed).
  window.addEventListener("pagehide", function () {
    if (source) { source.close(); source = null; }
    body.removeAttribute("data-live-connected");
  });
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    if (!source) connect();
    swap();
  });
  connect();
})();

/* gardend live reload.
 *
 * Listens to the server's change events (/api/events) and, for each batch of changed vault
 * paths, asks the server whether this page depends on any of them (/_live/check: the page's
 * note, what it embeds, what its queries can read). Only then is the page's content swapped
 * for a freshly fetched copy, keeping the scroll position; on any failure the page reloads.
 */
(function () {
  "use strict";
  var body = document.body;
  var pageUrl = body && body.getAttribute("data-live-url");
  if (!pageUrl || !window.EventSource || !window.fetch) return;
  var MAX_PATHS = 200;
  var busy = false;
  var again = false;

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

  function check(paths) {
    if (!paths || paths.length === 0) return;
    if (paths.length > MAX_PATHS) { swap(); return; }
    var query = new URLSearchParams();
    query.append("url", pageUrl);
    paths.forEach(function (p) { query.append("changed", p); });
    fetch("/_live/check?" + query.toString(), { cache: "no-store" })
      .then(function (resp) { return resp.json(); })
      .then(function (data) { if (data && data.reload) swap(); })
      .catch(function () { /* server restarting: the event stream reconnects by itself */ });
  }

  var source = new EventSource("/api/events");
  source.onopen = function () { body.setAttribute("data-live-connected", "1"); };
  source.onmessage = function (event) {
    var msg;
    try { msg = JSON.parse(event.data); } catch (e) { return; }
    if (msg.type === "changed") check(msg.paths);
    else if (msg.type === "overflow") swap();
  };
})();

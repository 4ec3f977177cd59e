/* gardend: draw the note's ```mermaid blocks with the Mermaid bundle shipped beside this file.
 *
 * Only pages whose note has a diagram load mermaid.min.js and this script (both deferred, in
 * that order), so every other page stays free of a 3 MB download. The renderer emits each
 * diagram as <pre class="mermaid"> holding its escaped source: without scripts the source stays
 * readable; here Mermaid replaces it with an SVG.
 *
 * securityLevel "strict": labels are text, never HTML, and diagram click handlers are off; a
 * %%{init}%% directive in a note cannot lower it (Mermaid keeps securityLevel out of the
 * directives' reach). Drawing runs again after a live-reload swap (the fresh content arrives
 * undrawn) and when the light/dark theme changes (each drawn element's source is kept in
 * memory for that, since Mermaid replaces it).
 */
(function () {
  "use strict";
  var mermaid = window.mermaid;
  if (!mermaid || typeof mermaid.run !== "function") return;
  var SELECTOR = "pre.mermaid";
  var sources = new WeakMap();
  var queue = Promise.resolve();
  var drawnTheme = null;

  function theme() {
    var chosen = document.documentElement.getAttribute("data-theme");
    if (chosen === "dark" || chosen === "light") return chosen;
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }

  function drawNow() {
    var blocks = Array.prototype.slice.call(document.querySelectorAll(SELECTOR));
    var current = theme();
    var redraw = drawnTheme !== null && drawnTheme !== current;
    var todo = blocks.filter(function (el) {
      if (!sources.has(el)) {
        sources.set(el, el.textContent);
        return true;
      }
      if (!redraw) return false;
      el.textContent = sources.get(el);
      el.removeAttribute("data-processed");
      return true;
    });
    drawnTheme = current;
    if (todo.length === 0) return Promise.resolve();
    mermaid.initialize({
      startOnLoad: false,
      securityLevel: "strict",
      theme: current === "dark" ? "dark" : "default",
    });
    // A diagram with a syntax error shows Mermaid's error picture; the others still draw.
    return mermaid.run({ nodes: todo, suppressErrors: true });
  }

  function draw() {
    queue = queue.then(drawNow).catch(function (err) {
      if (window.console) window.console.warn("gardend: drawing a diagram failed", err);
    });
    return queue;
  }

  draw();
  document.addEventListener("gardend:updated", draw);
  new MutationObserver(draw).observe(document.documentElement, {
    attributes: true, attributeFilter: ["data-theme"],
  });
  if (window.matchMedia) {
    var media = window.matchMedia("(prefers-color-scheme: dark)");
    if (media.addEventListener) media.addEventListener("change", draw);
  }
})();

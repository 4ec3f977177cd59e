/* gardend site behaviour: theme toggle, file-tree drawer on small screens, callout folding. */
(function () {
  "use strict";

  function currentTheme() {
    var set = document.documentElement.getAttribute("data-theme");
    if (set) return set;
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }

  function wire() {
    var toggle = document.querySelector(".theme-toggle");
    if (toggle && !toggle.dataset.wired) {
      toggle.dataset.wired = "1";
      toggle.addEventListener("click", function () {
        var next = currentTheme() === "dark" ? "light" : "dark";
        document.documentElement.setAttribute("data-theme", next);
        try { window.localStorage.setItem("gardend-theme", next); } catch (e) { /* ignore */ }
      });
    }
    var navToggle = document.querySelector(".nav-toggle");
    if (navToggle && !navToggle.dataset.wired) {
      navToggle.dataset.wired = "1";
      navToggle.addEventListener("click", function () {
        var open = document.body.classList.toggle("nav-open");
        navToggle.setAttribute("aria-expanded", open ? "true" : "false");
      });
    }
    // Foldable callouts: the renderer marks them; a click on the title folds or unfolds.
    document.querySelectorAll(".callout.is-collapsible > .callout-title").forEach(function (title) {
      if (title.dataset.wired) return;
      title.dataset.wired = "1";
      title.addEventListener("click", function () {
        title.parentElement.classList.toggle("is-collapsed");
        // Obsidian's markup hides a folded callout with an inline style too; from here on the
        // class alone decides (pages without a CSP, or with inline styles allowed, obey it).
        var content = title.parentElement.querySelector(":scope > .callout-content");
        if (content) content.style.removeProperty("display");
      });
    });
  }

  document.addEventListener("DOMContentLoaded", wire);
  document.addEventListener("gardend:updated", wire);
})();

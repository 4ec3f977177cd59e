/* gardend: apply the saved light/dark choice before the page paints (no inline script: CSP). */
(function () {
  "use strict";
  try {
    var saved = window.localStorage.getItem("gardend-theme");
    if (saved === "light" || saved === "dark") {
      document.documentElement.setAttribute("data-theme", saved);
    }
  } catch (e) { /* storage disabled: follow the system setting */ }
})();

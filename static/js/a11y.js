/* Regions that scroll sideways (wide tables on a narrow screen) take the keyboard focus, so that
   a keyboard user can scroll them with the arrow keys (WCAG 2.1.1; axe: scrollable-region-focusable).
   Named by their caption, their table's first header row or, failing both, as "table". Checked on
   load and when the window changes size; a region that no longer scrolls gives the focus back. */
(function () {
  "use strict";
  function scrolls(el) {
    var style = getComputedStyle(el);
    return (style.overflowX === "auto" || style.overflowX === "scroll") && el.scrollWidth > el.clientWidth + 1;
  }
  function nameOf(el) {
    var table = el.tagName === "TABLE" ? el : el.querySelector("table");
    var caption = table && table.querySelector("caption");
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    var heading = el.previousElementSibling;
    if (heading && /^H[1-6]$/.test(heading.tagName)) return heading.textContent.trim();
    return document.documentElement.lang === "en" ? "Table" : "表格";
  }
  function mark() {
    var candidates = document.querySelectorAll(".table-wrap, table, pre, .scroll-x");
    for (var i = 0; i < candidates.length; i++) {
      var el = candidates[i];
      if (scrolls(el)) {
        if (!el.hasAttribute("tabindex")) {
          el.setAttribute("tabindex", "0");
          el.setAttribute("data-scroll-region", "");
          if (el.tagName !== "TABLE" && !el.hasAttribute("role")) {
            el.setAttribute("role", "region");
            el.setAttribute("aria-label", nameOf(el));
          }
        }
      } else if (el.hasAttribute("data-scroll-region")) {
        el.removeAttribute("tabindex");
        el.removeAttribute("data-scroll-region");
        if (el.getAttribute("role") === "region") {
          el.removeAttribute("role");
          el.removeAttribute("aria-label");
        }
      }
    }
  }
  var pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(mark, 150);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mark);
  } else {
    mark();
  }
})();

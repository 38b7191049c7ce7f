// Behaviour the console's templates ask for with data attributes, so no page needs an
// inline script, event handler or style attribute (the Content-Security-Policy forbids
// them): data-autosubmit submits its form on change; data-width sets a bar's width.
(function () {
  "use strict";

  function apply(root) {
    root.querySelectorAll("[data-width]").forEach(function (element) {
      element.style.width = element.dataset.width;
    });
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target && target.form && target.hasAttribute("data-autosubmit")) {
      target.form.submit();
    }
  });
  document.addEventListener("DOMContentLoaded", function () { apply(document); });
  // htmx swaps fresh fragments in (the import progress): style them too.
  document.addEventListener("htmx:load", function (event) { apply(event.target); });
})();

// The print page of a demand: its "Print" button opens the browser's print dialog.
// (A static file: the Content-Security-Policy forbids inline scripts.)
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();

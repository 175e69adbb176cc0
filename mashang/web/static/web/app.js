// mashang's page behaviour. No inline scripts anywhere: the Content-Security-Policy forbids them.
(function () {
  "use strict";

  function pad(n) { return String(n).padStart(2, "0"); }

  function formatSeconds(total) {
    var s = Math.abs(Math.round(total));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    return h + ":" + pad(m) + ":" + pad(sec);
  }

  // A countdown in working time: the server says how many working seconds are left and for
  // how many seconds from now the clock keeps running (until the office closes or pauses).
  function tickCountdowns() {
    document.querySelectorAll("[data-countdown]").forEach(function (el) {
      var left = parseFloat(el.dataset.remaining);
      var running = parseFloat(el.dataset.running || "0");
      if (running > 0) {
        left -= 1;
        running -= 1;
        el.dataset.remaining = String(left);
        el.dataset.running = String(running);
      }
      var text = left >= 0 ? el.dataset.labelLeft : el.dataset.labelOver;
      el.textContent = (text || "%s").replace("%s", formatSeconds(left));
      el.classList.toggle("late", left < 0);
    });
  }

  function init(root) {
    root.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
    root.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
      });
    });
    // One click, one request: a form cannot be sent twice while it is on its way.
    root.querySelectorAll("form:not([data-allow-resubmit])").forEach(function (form) {
      form.addEventListener("submit", function () {
        form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    init(document);
    tickCountdowns();
    window.setInterval(tickCountdowns, 1000);
  });
  document.addEventListener("htmx:load", function (event) { init(event.target); });
})();

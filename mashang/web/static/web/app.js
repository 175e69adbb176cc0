// mashang's page behaviour. No inline scripts anywhere: the Content-Security-Policy forbids them.
(function () {
  "use strict";

  function pad(n) { return String(n).padStart(2, "0"); }

  // Working time as people say it: working days (of the zone's day length), hours, minutes;
  // the words come from the page (data-units), as mashang.web.deadline_display says them.
  function formatSeconds(total, el) {
    var units;
    try { units = JSON.parse(el.dataset.units || ""); } catch (e) { units = null; }
    var all = Math.floor(Math.abs(total) / 60);
    var dayMinutes = Math.max(Math.floor(parseFloat(el.dataset.daySeconds || "0") / 60), 1);
    if (!units) { return Math.floor(all / 60) + ":" + pad(all % 60); }
    var parts = { days: Math.floor(all / dayMinutes), hours: Math.floor((all % dayMinutes) / 60), minutes: all % dayMinutes % 60 };
    var words = [];
    ["days", "hours", "minutes"].forEach(function (name) {
      var n = parts[name];
      if (n || (name === "minutes" && words.length === 0)) {
        words.push(units[name][n === 1 ? 0 : 1].replace("%(n)s", String(n)));
      }
    });
    return words.join(" ");
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
      el.textContent = (text || "%s").replace("%s", formatSeconds(left, el));
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

// Demand pages: a refused action (403, 409 stale version, 422 bad fields) comes back as the
// demand with the message beside the form: let htmx swap it in like a success. On any other
// failure, give the buttons back so the person can try again.
(function () {
  "use strict";
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 403 || status === 409 || status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  // After an action the demand (or meeting) is swapped in anew: take the focus to what the
  // server said.
  var BODIES = ["demand-body", "meeting-body"];
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!event.detail.target || BODIES.indexOf(event.detail.target.id) < 0) { return; }
    var body = document.getElementById(event.detail.target.id);
    var said = body && body.querySelector("[role=alert], [role=status]");
    if (said) { said.setAttribute("tabindex", "-1"); said.focus(); }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (form && form.querySelectorAll && !event.detail.successful) {
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = false; });
    }
  });
})();

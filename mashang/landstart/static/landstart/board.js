// Land start: the clocks that tick (elapsed since the award, a step in hand) and the live
// board's polling. No inline script or style: the CSP forbids both.
//
// A ticking element carries data-seconds (the server's count when it rendered the page) and
// data-ticking; the page adds the seconds gone by since it arrived. The board (#board) is
// swapped every 2 s by htmx polling its fragment; the poll waits while the reader is filling
// in a form on it, and the details the reader opened stay open across swaps.
(function () {
  "use strict";

  function pad(n) { return String(n).padStart(2, "0"); }

  function clock(total) {
    var s = Math.max(0, Math.floor(total));
    return Math.floor(s / 3600) + ":" + pad(Math.floor((s % 3600) / 60)) + ":" + pad(s % 60);
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-seconds][data-ticking]").forEach(function (el) {
      if (!el.dataset.since) { el.dataset.since = String(now); }
      var seconds = parseFloat(el.dataset.seconds) + (now - parseFloat(el.dataset.since)) / 1000;
      el.textContent = el.dataset.format === "minutes" ? (seconds / 60).toFixed(1) : clock(seconds);
    });
  }

  var inFlight = 0;
  var answeredAt = 0;
  // After an action, its answer (the message beside the form) stays this long before a poll.
  var KEEP_ANSWER_MS = 6000;
  var openDetails = [];

  function board() { return document.getElementById("board"); }

  // The reader is busy on the board: typing, choosing a file, or a form of theirs is on its way.
  function busy(root) {
    if (inFlight > 0 || Date.now() - answeredAt < KEEP_ANSWER_MS) { return true; }
    var active = document.activeElement;
    if (active && root.contains(active) && active.matches("input, textarea, select")) { return true; }
    return Array.prototype.some.call(root.querySelectorAll("textarea, input"), function (el) {
      if (el.type === "hidden" || el.type === "submit") { return false; }
      if (el.type === "file") { return el.files && el.files.length > 0; }
      if (el.type === "checkbox" || el.type === "radio") { return el.checked !== el.defaultChecked; }
      return el.value !== el.defaultValue;
    });
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    var root = board();
    if (!root || !elt) { return; }
    if (elt === root) {
      if (busy(root)) { event.preventDefault(); }
      return;
    }
    if (root.contains(elt)) { inFlight += 1; }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.id !== "board" && elt.tagName === "FORM") {
      if (inFlight > 0) { inFlight -= 1; }
      answeredAt = Date.now();
    }
  });

  // A poll keeps open what the reader opened; an action's answer decides for itself.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var root = board();
    openDetails = [];
    var xhr = event.detail.xhr;
    if (root && (event.detail.elt === root || root.contains(event.detail.elt)) &&
        xhr && (xhr.responseText || "").indexOf('id="board"') === -1) {
      // Not the board (the session ended and the sign-in page came back): keep what is shown.
      event.detail.shouldSwap = false;
      return;
    }
    if (root && event.detail.elt === root) {
      root.querySelectorAll("details[open][id]").forEach(function (d) { openDetails.push(d.id); });
    }
  });

  document.addEventListener("htmx:afterSwap", function () {
    openDetails.forEach(function (id) {
      var d = document.getElementById(id);
      if (d && d.tagName === "DETAILS") { d.open = true; }
    });
    openDetails = [];
    tick();
  });

  document.addEventListener("DOMContentLoaded", function () {
    window.landstartBoardLoadedAt = window.landstartBoardLoadedAt || Date.now();
    tick();
    window.setInterval(tick, 1000);
  });
})();

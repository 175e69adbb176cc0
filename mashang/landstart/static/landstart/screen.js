// The big screen (大屏) of a batch or a run: the stopwatches tick here, from the award time the
// page carries (no request per second for that), and the live part is asked for every second
// with the ETag of what the page holds, so an unchanged screen costs the server a 304.
//
// When an answer fails or takes longer than the timeout, the screen says so in the words the
// server put in #screen-lost (data-message, "{time}" standing for the time of the last answer),
// greys the stopwatches and stops them at that time: they are no longer facts. The next answer
// brings the screen back by itself. No inline script or style: the CSP forbids both.
(function () {
  "use strict";

  var root, live, lost, wall;
  var url = "", etag = "", timeZone = "";
  var pollMs = 1000, timeoutMs = 3000;
  var offset = 0;        // the server's clock minus this browser's, in ms
  var lastOk = 0;        // the server's time of the last answer (the figures are as of then)
  var offline = false;
  var formatter = null;

  function pad(n) { return String(n).padStart(2, "0"); }

  function clock(totalSeconds) {
    var s = Math.max(0, Math.floor(totalSeconds));
    return Math.floor(s / 3600) + ":" + pad(Math.floor((s % 3600) / 60)) + ":" + pad(s % 60);
  }

  function serverNow() { return Date.now() + offset; }

  // A time of day on the zone's clock (HH:MM:SS), whatever the screen's computer is set to.
  function hms(ms) {
    var d = new Date(ms);
    if (formatter === null) {
      try {
        formatter = new Intl.DateTimeFormat("en-GB", {
          timeZone: timeZone || undefined, hour: "2-digit", minute: "2-digit", second: "2-digit",
          hourCycle: "h23"
        });
      } catch (e) {
        formatter = false;
      }
    }
    if (formatter) { return formatter.format(d); }
    return pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds());
  }

  // Take the server's clock: from the page (data-now, when it was rendered), then from every
  // answer (X-Server-Time).
  function adopt(serverMs) {
    var ms = parseFloat(serverMs);
    if (ms) { offset = ms - Date.now(); }
  }

  // The stopwatches at instant ``at`` (server time), and which steps are late by then.
  function show(at) {
    live.querySelectorAll("[data-watch][data-from]").forEach(function (el) {
      var from = parseFloat(el.dataset.from);
      if (!from) { return; }
      var until = el.dataset.until ? parseFloat(el.dataset.until) : at;
      el.textContent = clock((until - from) / 1000);
    });
    live.querySelectorAll("[data-late-at]").forEach(function (el) {
      el.classList.toggle("late", at >= parseFloat(el.dataset.lateAt));
    });
  }

  function tick() {
    if (wall) { wall.textContent = hms(serverNow()); }
    if (!offline) { show(serverNow()); }
  }

  function goOffline() {
    if (offline) { return; }
    offline = true;
    show(lastOk);  // the watches stop where the last answer left them
    lost.textContent = (lost.dataset.message || "").replace("{time}", hms(lastOk));
    lost.hidden = false;
    document.body.classList.add("screen-offline");
    root.dataset.connection = "lost";
  }

  function goOnline() {
    lastOk = serverNow();
    if (!offline) { return; }
    offline = false;
    lost.hidden = true;
    lost.textContent = "";
    document.body.classList.remove("screen-offline");
    root.dataset.connection = "ok";
  }

  function poll() {
    var controller = new AbortController();
    var timer = window.setTimeout(function () { controller.abort(); }, timeoutMs);
    var headers = { "X-Requested-With": "fetch" };
    if (etag) { headers["If-None-Match"] = etag; }
    fetch(url, {
      headers: headers, cache: "no-store", credentials: "same-origin", redirect: "manual",
      signal: controller.signal
    }).then(function (response) {
      if (response.status !== 304 && response.status !== 200) {
        throw new Error("answer " + response.status);
      }
      adopt(response.headers.get("X-Server-Time"));
      if (response.status === 304) { return null; }
      var tag = response.headers.get("ETag") || "";
      return response.text().then(function (html) { return { html: html, tag: tag }; });
    }).then(function (answer) {
      window.clearTimeout(timer);
      if (answer !== null) {
        // Only the screen's own part (a sign-in page is no answer).
        if (answer.html.indexOf('class="screen-body') === -1) { throw new Error("not the screen"); }
        live.innerHTML = answer.html;
        etag = answer.tag;
      }
      goOnline();
      tick();
    }).catch(function () {
      window.clearTimeout(timer);
      goOffline();
    }).then(function () {
      window.setTimeout(poll, pollMs);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    root = document.getElementById("screen");
    live = document.getElementById("screen-live");
    lost = document.getElementById("screen-lost");
    wall = document.getElementById("screen-clock");
    if (!root || !live || !lost) { return; }
    url = root.dataset.liveUrl || "";
    etag = root.dataset.etag || "";
    timeZone = root.dataset.timeZone || "";
    pollMs = parseInt(root.dataset.pollMs, 10) || pollMs;
    timeoutMs = parseInt(root.dataset.timeoutMs, 10) || timeoutMs;
    root.dataset.connection = "ok";
    adopt(root.dataset.now);
    lastOk = serverNow();
    tick();
    window.setInterval(tick, 250);
    if (url) { window.setTimeout(poll, pollMs); }
  });
})();

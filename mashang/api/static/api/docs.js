// The API reference (/api/v1/docs): starts Swagger UI (vendor/swagger-ui-bundle.js, from npm)
// with the settings the page carries as a JSON data block (#swagger-settings). No inline
// script or style: the CSP forbids both. #swagger-ui gets data-state "rendered" once the
// schema is drawn, or "error" when it could not be loaded.
(function () {
  "use strict";

  function start() {
    var root = document.getElementById("swagger-ui");
    var data = document.getElementById("swagger-settings");
    if (!root || !data || typeof window.SwaggerUIBundle !== "function") {
      if (root) root.setAttribute("data-state", "error");
      return;
    }
    var settings = JSON.parse(data.textContent);
    settings.presets = [window.SwaggerUIBundle.presets.apis];
    settings.onComplete = function () {
      root.setAttribute("data-state", "rendered");
    };
    window.ui = window.SwaggerUIBundle(settings);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

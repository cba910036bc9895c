// Starts Swagger UI on /schema/swagger (kept out of the page: the CSP forbids inline script).
(function () {
  "use strict";
  window.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("swagger-ui");
    if (!root || !window.SwaggerUIBundle) { return; }
    window.ui = window.SwaggerUIBundle({
      url: root.getAttribute("data-schema-url"),
      dom_id: "#swagger-ui",
      deepLinking: true,
      presets: [window.SwaggerUIBundle.presets.apis],
      layout: "BaseLayout",
      // A browser session needs the CSRF cookie echoed in the header on unsafe calls.
      requestInterceptor: function (request) {
        var match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
        if (match && request.method && request.method.toUpperCase() !== "GET") {
          request.headers["x-csrftoken"] = decodeURIComponent(match[1]);
        }
        return request;
      }
    });
  });
})();

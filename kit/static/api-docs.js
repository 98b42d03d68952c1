// Starts Swagger UI on the API docs page (kit/api_docs.py). A file of its own, not an inline script: the site's
// Content-Security-Policy allows scripts from the site only.
"use strict";
const root = document.getElementById("swagger-ui");
window.ui = SwaggerUIBundle({
  url: root.dataset.openapiUrl,
  dom_id: "#swagger-ui",
  deepLinking: true,
  layout: "BaseLayout",
  presets: [SwaggerUIBundle.presets.apis],
});

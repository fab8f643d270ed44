// Starts Swagger UI on /docs; a file of its own because the page's policy forbids inline script.
"use strict";

window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  presets: [SwaggerUIBundle.presets.apis],
  deepLinking: true,
  // A key typed into "Authorize" lives only as long as the page.
  persistAuthorization: false,
  // The default validator would send the document to a third-party service.
  validatorUrl: null,
});

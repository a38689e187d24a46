// The API page (/api/v1/docs): Swagger UI reads the OpenAPI document named by the page's data-spec-url.
(function () {
  var root = document.getElementById("swagger-ui");
  if (!root || typeof SwaggerUIBundle === "undefined") return;
  SwaggerUIBundle({ url: root.dataset.specUrl, domNode: root, deepLinking: true, persistAuthorization: false });
})();

/* Guided diagnostics: after htmx swaps in the next step, move focus to its heading so screen readers announce it. */
document.body.addEventListener("htmx:afterSwap", function (event) {
  var heading = event.detail.target && document.querySelector("#diagnostic-card [data-focus-on-swap]");
  if (heading) heading.focus();
});

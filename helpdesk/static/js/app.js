/* Small progressive enhancements; no inline script anywhere (strict CSP). */
document.addEventListener("click", function (event) {
  /* <button data-insert-text="[Titre](/faq/x)" data-insert-into="reply-body">: insert text into a textarea. */
  var button = event.target.closest("[data-insert-text]");
  if (!button) return;
  var target = document.getElementById(button.getAttribute("data-insert-into"));
  if (!target) return;
  event.preventDefault();
  var text = button.getAttribute("data-insert-text");
  var start = target.selectionStart || target.value.length;
  target.value = target.value.slice(0, start) + text + target.value.slice(target.selectionEnd || start);
  target.focus();
});

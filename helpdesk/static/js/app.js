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

/* <input type="file" data-max-bytes data-max-files data-too-big data-too-many>: refuse over-limit files before the
   upload starts, so that the form and its text never meet the server's size limit. The server checks again. */
document.addEventListener("change", function (event) {
  var input = event.target;
  if (!input.matches || !input.matches("input[type=file][data-max-bytes]")) return;
  var maxBytes = parseInt(input.getAttribute("data-max-bytes"), 10);
  var maxFiles = parseInt(input.getAttribute("data-max-files"), 10);
  var message = "";
  if (input.files.length > maxFiles) message = input.getAttribute("data-too-many");
  for (var i = 0; i < input.files.length && !message; i++) {
    if (input.files[i].size > maxBytes) message = input.getAttribute("data-too-big");
  }
  input.setCustomValidity(message);
  input.reportValidity();
});

/* Glossary filter: the page works as a plain GET form (?q=); with JavaScript the terms are filtered as one types. */
(function () {
  var form = document.querySelector("[data-glossary-filter]");
  if (!form) return;
  var input = form.querySelector("input[name=q]");
  var count = document.getElementById("glossary-count");
  var none = document.querySelector("[data-glossary-none]");
  var entries = Array.prototype.slice.call(document.querySelectorAll("[data-glossary-entry]"));
  var fold = function (text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  };
  var texts = entries.map(function (entry) { return fold(entry.textContent); });
  var apply = function () {
    var words = fold(input.value).split(/\s+/).filter(Boolean);
    var shown = 0;
    entries.forEach(function (entry, i) {
      var visible = words.every(function (word) { return texts[i].indexOf(word) !== -1; });
      entry.hidden = !visible;
      shown += visible ? 1 : 0;
    });
    document.querySelectorAll("[data-letter]").forEach(function (section) {
      var any = section.querySelector("[data-glossary-entry]:not([hidden])") !== null;
      section.hidden = !any;
      var link = document.querySelector('[data-letter-link="' + section.getAttribute("data-letter") + '"]');
      if (link) link.hidden = !any;
    });
    if (none) none.classList.toggle("fr-hidden", shown > 0 || entries.length === 0);
    if (count) {
      var label = shown > 1 ? "data-label-some" : "data-label-one";
      count.textContent = words.length
        ? count.getAttribute(label).replace("{shown}", shown)
        : count.getAttribute("data-label-all");
    }
  };
  input.addEventListener("input", apply);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    apply();
    history.replaceState(null, "", input.value ? "?q=" + encodeURIComponent(input.value) : location.pathname);
  });
})();

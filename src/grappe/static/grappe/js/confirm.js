// Confirmation before a destructive submit: <button data-confirm="Question ?">.
// Replaces inline onclick handlers, which the Content Security Policy forbids.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
  }
});

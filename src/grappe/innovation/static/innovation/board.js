// Keyboard on the pipeline board: on a focused card, ArrowRight / ArrowLeft press its "next" / "previous"
// control; after an htmx swap, focus returns to the moved card (its id travels in data-focus).
(function () {
  function focusCard(id) {
    var card = id && document.getElementById(id);
    if (card) { card.focus(); }
  }
  document.addEventListener("keydown", function (event) {
    var card = event.target.closest && event.target.closest(".board-card");
    if (!card || event.target !== card) { return; }
    var selector = event.key === "ArrowRight" ? "[data-move=next]" : event.key === "ArrowLeft" ? "[data-move=previous]" : null;
    var control = selector && card.querySelector(selector);
    if (control) { event.preventDefault(); control.click(); }
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var board = document.getElementById("board");
    if (board) { focusCard(board.dataset.focus); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    if (location.hash.indexOf("#project-") === 0) { focusCard(location.hash.slice(1)); }
  });
})();

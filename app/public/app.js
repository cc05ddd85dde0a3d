// Counts user-perceived characters as the server does, so that an over-long grumble is refused
// in the browser with the same message. The server checks again: this is only a convenience.
(function () {
  var input = document.querySelector("input[data-max-graphemes]");
  if (!input || typeof Intl === "undefined" || !Intl.Segmenter) return;
  var max = Number(input.getAttribute("data-max-graphemes"));
  var tooLong = input.getAttribute("data-too-long-message");
  var counter = document.querySelector("[data-grapheme-counter]");
  var segmenter = new Intl.Segmenter("ja", { granularity: "grapheme" });
  function check() {
    var count = 0;
    for (var _ of segmenter.segment(input.value.trim())) count++;
    input.setCustomValidity(count > max ? tooLong : "");
    if (counter) counter.textContent = count + "/" + max;
  }
  input.addEventListener("input", check);
  check();
})();

// Small page behaviours as delegated listeners, so the Content-Security-Policy
// can forbid inline scripts (onclick="…") everywhere.
document.addEventListener("click", function (event) {
  var printer = event.target.closest("[data-print]");
  if (printer) { window.print(); return; }
  var setter = event.target.closest("[data-set-select]");
  if (setter) {
    var select = document.getElementById(setter.getAttribute("data-set-select"));
    if (select) { select.value = setter.getAttribute("data-value"); select.dispatchEvent(new Event("change")); }
  }
});

/* The print button of a slip (no inline script under the site's CSP). */
document.addEventListener("click", function (e) {
  if (e.target.closest("[data-print]")) window.print();
});

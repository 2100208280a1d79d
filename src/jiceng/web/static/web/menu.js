// The header's menu button on phones (under 600 px): open and close the navigation.
// Without script the button is a link to #site-nav, which CSS opens with :target.
document.addEventListener("click", function (event) {
  var toggle = event.target.closest(".menu-toggle");
  if (!toggle) { return; }
  event.preventDefault();
  var nav = document.getElementById(toggle.getAttribute("aria-controls"));
  var open = toggle.getAttribute("aria-expanded") !== "true";
  toggle.setAttribute("aria-expanded", open ? "true" : "false");
  nav.classList.toggle("open", open);
});
document.addEventListener("keydown", function (event) {
  if (event.key !== "Escape") { return; }
  var toggle = document.querySelector(".menu-toggle[aria-expanded=true]");
  if (toggle) { toggle.click(); toggle.focus(); }
});

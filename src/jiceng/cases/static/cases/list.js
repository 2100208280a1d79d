// On a wide screen the extra filters of the case list stand open; on a phone they fold under 更多条件.
(() => {
  const more = document.getElementById("more-filters");
  if (more && window.matchMedia("(min-width: 601px)").matches) more.open = true;
})();

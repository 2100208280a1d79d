// Public board: choosing a township reloads the page so the village list shows that township's villages.
document.addEventListener("change", function (event) {
  if (!event.target.matches("[data-submit-on-change]")) { return; }
  var village = document.getElementById("b-village");
  if (village) { village.value = ""; }
  event.target.form.submit();
});

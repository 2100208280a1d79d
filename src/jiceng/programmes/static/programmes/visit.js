// Visit form: fill in the phone's position when the worker asks for it (no map service, no network).
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-locate]");
  if (!button || !navigator.geolocation) { return; }
  event.preventDefault();
  var status = document.getElementById("locate-status");
  if (status) { status.textContent = button.getAttribute("data-waiting"); }
  navigator.geolocation.getCurrentPosition(function (pos) {
    document.getElementById("v-lat").value = pos.coords.latitude.toFixed(6);
    document.getElementById("v-lon").value = pos.coords.longitude.toFixed(6);
    if (status) { status.textContent = button.getAttribute("data-done"); }
  }, function () {
    if (status) { status.textContent = button.getAttribute("data-failed"); }
  }, { enableHighAccuracy: true, timeout: 15000 });
});

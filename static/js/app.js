/* Small enhancements; every page works without them. No third-party code. */
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  function wire(root) {
    // "Use my location": fills the place box with coordinates (never sent anywhere but this site).
    root.querySelectorAll("[data-near-me]").forEach(function (button) {
      if (!("geolocation" in navigator) || button.dataset.wired) { return; }
      button.dataset.wired = "1";
      button.hidden = false;
      button.addEventListener("click", function () {
        button.disabled = true;
        button.textContent = "Finding you…";
        navigator.geolocation.getCurrentPosition(function (pos) {
          var input = document.getElementById("near");
          input.value = pos.coords.latitude.toFixed(4) + "," + pos.coords.longitude.toFixed(4);
          button.textContent = "Use my location";
          button.disabled = false;
          input.form.requestSubmit();
        }, function () {
          button.textContent = "Location not available";
          button.disabled = false;
        }, { timeout: 10000, maximumAge: 600000 });
      });
    });
    root.querySelectorAll("[data-print]").forEach(function (link) {
      link.hidden = false;
      link.addEventListener("click", function (event) { event.preventDefault(); window.print(); });
    });
  }
  ready(function () { wire(document); });
  document.addEventListener("htmx:afterSwap", function (event) { wire(event.target); });
})();

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
  // Enter searches at once, and the typing pause before it still fires 500 ms later: the same results
  // would be fetched and swapped in again, under the finger of someone already tapping a meeting.
  // A search identical to the one just asked for is not sent twice. Decided at htmx:confirm, which comes
  // before hx-sync: by htmx:beforeRequest, "this:replace" has already aborted the search still on its way,
  // so on a slow connection (a search taking over 500 ms) dropping the repeat there left no results at all.
  var lastSearch = null;
  document.addEventListener("htmx:confirm", function (event) {
    var form = event.detail.elt;
    if (!form || !form.matches || !form.matches("form.search")) { return; }
    var key = new URLSearchParams(new FormData(form)).toString();
    if (key === lastSearch) { event.preventDefault(); return; }
    lastSearch = key;
  });
  // After a failure, or when Back shows older results, the same search must be possible again.
  ["htmx:responseError", "htmx:sendError", "htmx:historyRestore"].forEach(function (name) {
    document.addEventListener(name, function () { lastSearch = null; });
  });
  window.addEventListener("popstate", function () { lastSearch = null; });
  ready(function () { wire(document); });
  document.addEventListener("htmx:afterSwap", function (event) { wire(event.target); });
})();

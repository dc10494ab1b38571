// musclewise: small enhancements only; every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("has-js");

  function tick() {
    document.querySelectorAll(".elapsed[data-start]").forEach(function (el) {
      var start = Date.parse(el.getAttribute("data-start"));
      var s = Math.max(0, Math.round((Date.now() - start) / 1000));
      var m = Math.floor(s / 60);
      el.textContent = m ? m + " min " + (s % 60) + " s" : s + " s";
    });
  }
  setInterval(tick, 1000);

  // "None of these" and "Not sure" exclude the other boxes (the server checks it too).
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("[data-exclusive-group] input[type=checkbox]") || !box.checked) return;
    var group = box.closest("[data-exclusive-group]");
    group.querySelectorAll("input[type=checkbox]").forEach(function (other) {
      if (other === box) return;
      if (box.hasAttribute("data-exclusive") || other.hasAttribute("data-exclusive")) other.checked = false;
    });
  });

  // After htmx swaps a page in, behave like a page load: focus the heading or error summary.
  document.addEventListener("htmx:afterSettle", function () {
    tick();
    var target = document.getElementById("error-summary") || document.querySelector("main h1") || document.getElementById("main");
    if (target) { if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1"); target.focus(); }
  });
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();

  // The offline log: an idempotency key and the start time, set when it is sent.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-offline-log]")) return;
    var minutes = parseFloat(form.elements.minutes_ago.value) || 0;
    form.elements.started_at.value = new Date(Date.now() - minutes * 60000).toISOString();
    if (!form.elements.idempotency_key.value) {
      form.elements.idempotency_key.value = (self.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now()) + Math.random();
    }
  });

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js").catch(function () {});
    window.addEventListener("online", function () {
      if (navigator.serviceWorker.controller) navigator.serviceWorker.controller.postMessage("flush");
    });
  }
})();

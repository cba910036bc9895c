// Case forms: show only the fields that apply. Without JavaScript every field stays visible.
(function () {
  "use strict";
  function toggleOrigin(form) {
    var origin = form.querySelector("select[name='origin']");
    if (!origin) { return; }
    form.querySelectorAll("[data-origin-only]").forEach(function (el) {
      el.hidden = origin.value !== "" && el.getAttribute("data-origin-only") !== origin.value;
    });
  }
  function toggleUnit(form) {
    var type = form.querySelector("select[name='type']");
    if (!type) { return; }
    var units = JSON.parse(form.getAttribute("data-units") || "{}");
    var unit = units[type.value];
    form.querySelectorAll("[data-unit]").forEach(function (el) {
      var types = el.getAttribute("data-types");
      var shown = el.getAttribute("data-unit") === unit && (!types || types === type.value);
      el.hidden = !shown;
    });
  }
  document.querySelectorAll("form.case-form").forEach(function (form) {
    toggleOrigin(form);
    form.addEventListener("change", function () { toggleOrigin(form); });
  });
  document.querySelectorAll("form.measure-form").forEach(function (form) {
    toggleUnit(form);
    form.addEventListener("change", function () { toggleUnit(form); });
  });
})();

// Small progressive enhancements; every page works without JavaScript.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-toggle='nav']");
    if (toggle) {
      var nav = document.getElementById("main-nav");
      var open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    }
    var confirmer = event.target.closest("[data-confirm]");
    if (confirmer && !window.confirm(confirmer.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
  // File inputs in the app's language: show the chosen names beside the button.
  document.addEventListener("change", function (event) {
    var input = event.target.closest("[data-file-input]");
    if (!input) { return; }
    var shown = input.parentNode.querySelector("[data-file-name]");
    if (!shown) { return; }
    var names = Array.prototype.map.call(input.files || [], function (f) { return f.name; });
    shown.textContent = names.length ? names.join(", ") : shown.getAttribute("data-empty");
  });
  // Elements with data-poll="url" reload their fragment until data-done appears (report progress).
  function poll(el) {
    var url = el.getAttribute("data-poll");
    fetch(url, { headers: { "Accept": "text/html", "X-Fragment": "1" }, credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        el.innerHTML = html;
        if (!el.querySelector("[data-done]")) { setTimeout(function () { poll(el); }, 1000); }
      })
      .catch(function () { setTimeout(function () { poll(el); }, 3000); });
  }
  // Filters fold behind one button on a phone (they stay open when they hold an error).
  if (window.matchMedia && window.matchMedia("(max-width: 599px)").matches) {
    document.querySelectorAll("details[data-fold-on-phone]:not([data-keep-open])").forEach(
      function (el) { el.removeAttribute("open"); }
    );
  }
  document.querySelectorAll("[data-poll]").forEach(function (el) {
    if (!el.querySelector("[data-done]")) { setTimeout(function () { poll(el); }, 1000); }
  });
})();

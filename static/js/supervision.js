// Report pages: the print button prints the report (A4, see the @media print rules in portal.css).
(function () {
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();

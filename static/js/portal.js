// Small progressive enhancements; every page works without JavaScript.
(function () {
  var toggle = document.querySelector("[data-toggle-nav]");
  var nav = document.getElementById("site-nav");
  if (toggle && nav) {
    toggle.addEventListener("click", function () {
      var open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  // Reading modes apply at once; the form still saves them in a cookie for the next visit.
  document.querySelectorAll("[data-display-mode]").forEach(function (box) {
    box.addEventListener("change", function () {
      document.documentElement.classList.toggle("mode-" + box.value, box.checked);
      var modes = Array.prototype.filter.call(document.querySelectorAll("[data-display-mode]"), function (b) { return b.checked; })
        .map(function (b) { return b.value; });
      document.cookie = "display=" + modes.join(",") + ";path=/;max-age=31536000;samesite=lax";
    });
  });
  // Print buttons (no inline onclick: the Content-Security-Policy refuses inline script).
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  // Charts: <div class="chart" data-chart-url="..."> or data-chart='{json option}'.
  window.portalChart = function (el, option) {
    if (!window.echarts) return;
    var chart = window.echarts.init(el);
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
    if (option.links) {
      chart.on("click", function (p) { var url = option.links[p.name]; if (url) window.location = url; });
    }
    return chart;
  };
  document.querySelectorAll(".chart[data-chart]").forEach(function (el) {
    window.portalChart(el, JSON.parse(el.getAttribute("data-chart")));
  });
})();

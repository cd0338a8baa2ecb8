// Survey analytics: draws the ECharts options the server computed (selectors.survey_analytics).
(function () {
  var source = document.getElementById("survey-analytics");
  if (!source) return;
  var data = JSON.parse(source.textContent);
  var options = { per_day: data.per_day.chart, funnel: data.funnel.chart, channels: data.crosstab.chart };
  data.questions.forEach(function (q) { if (q.chart) options["q" + q.id] = q.chart; });
  function draw() {
    if (!window.portalChart) return window.setTimeout(draw, 50);
    document.querySelectorAll("[data-survey-chart]").forEach(function (el) {
      var option = options[el.getAttribute("data-survey-chart")];
      if (option) window.portalChart(el, option);
    });
  }
  draw();
})();

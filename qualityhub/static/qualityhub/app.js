// QualityHub page behaviour. No inline scripts anywhere (CSP): pages declare intent
// with data attributes and this file acts on them.
(function () {
  "use strict";

  function applyWidths(root) {
    root.querySelectorAll("[data-width]").forEach(function (el) {
      el.style.width = Math.max(0, Math.min(100, Number(el.dataset.width) || 0)) + "%";
    });
  }

  function bind(root) {
    applyWidths(root);
    root.querySelectorAll("select[data-autosubmit]").forEach(function (el) {
      if (el.dataset.bound) return;
      el.dataset.bound = "1";
      el.addEventListener("change", function () { el.form.submit(); });
    });
    root.querySelectorAll("[data-confirm]").forEach(function (el) {
      if (el.dataset.bound) return;
      el.dataset.bound = "1";
      el.addEventListener("click", function (event) {
        if (!window.confirm(el.dataset.confirm)) event.preventDefault();
      });
    });
    root.querySelectorAll("[data-print]").forEach(function (el) {
      if (el.dataset.bound) return;
      el.dataset.bound = "1";
      el.addEventListener("click", function (event) { event.preventDefault(); window.print(); });
    });
    if (window.echarts) {
      root.querySelectorAll("[data-chart]").forEach(function (el) {
        if (el.dataset.bound) return;
        el.dataset.bound = "1";
        var source = document.getElementById(el.dataset.chart);
        if (!source) return;
        var chart = window.echarts.init(el);
        chart.setOption(JSON.parse(source.textContent));
        window.addEventListener("resize", function () { chart.resize(); });
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () { bind(document); });
  document.addEventListener("htmx:afterSettle", function (event) { bind(event.target.parentNode || document); });
})();

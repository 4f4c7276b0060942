// Small conveniences of the cargo-risk pages; every page works without them.
// The rule editor shows the fields of the chosen kind of condition only.
function showKindFields(form) {
  const kind = form.querySelector("select[name='rule.kind']");
  if (!kind) return;
  for (const group of form.querySelectorAll("[data-kinds]")) {
    group.hidden = !group.dataset.kinds.split(" ").includes(kind.value);
  }
}

// The clearance chart: each [data-chart] element draws the JSON of the script it names.
function drawCharts() {
  if (typeof Plotly === "undefined") return;
  for (const holder of document.querySelectorAll("[data-chart]")) {
    const spec = JSON.parse(document.getElementById(holder.dataset.chart).textContent);
    const traces = spec.series.map((s) => ({
      x: spec.x, y: s.y, name: s.name, type: "scatter", mode: "lines+markers",
    }));
    // Ticks on whole days only, at most about ten of them.
    const day = 24 * 3600 * 1000;
    const span = (Date.parse(spec.x[spec.x.length - 1]) - Date.parse(spec.x[0])) / day + 1;
    const layout = {
      margin: { t: 20, r: 20, b: 50, l: 60 },
      yaxis: { title: { text: spec.yTitle }, rangemode: "tozero" },
      xaxis: { type: "date", tickformat: "%Y-%m-%d", tick0: spec.x[0], dtick: day * Math.ceil(span / 10) },
      legend: { orientation: "h" },
    };
    Plotly.newPlot(holder, traces, layout, { displayModeBar: false, responsive: true });
  }
}

document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll(".rule-form")) {
    showKindFields(form);
    form.addEventListener("change", (event) => {
      if (event.target.name === "rule.kind") showKindFields(form);
    });
  }
  drawCharts();
});

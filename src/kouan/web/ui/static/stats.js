// The statistics pages' charts: each [data-stats-chart] element draws the JSON of the script it
// names with the bundled plotly.js, as a line of months or bars of ports (the port's own darker),
// each bar under the port's name, its code shown on hover. Axes are categories and ticks plain
// numbers, so that no English month or SI letter shows; long names make room for themselves.
function drawStatsCharts() {
  if (typeof Plotly === "undefined") return;
  for (const holder of document.querySelectorAll("[data-stats-chart]")) {
    const spec = JSON.parse(document.getElementById(holder.dataset.statsChart).textContent);
    const bar = holder.dataset.kind === "bar";
    const trace = bar
      ? {
          x: spec.x,
          y: spec.y,
          type: "bar",
          marker: { color: spec.mine.map((m) => (m ? "#1f4e79" : "#9db4cc")) },
          customdata: spec.codes || spec.x,
          hovertemplate: "%{x} (%{customdata})<br>%{y:,}<extra></extra>",
        }
      : { x: spec.x, y: spec.y, name: spec.name, type: "scatter", mode: "lines+markers", connectgaps: false };
    const layout = {
      title: spec.title ? { text: spec.title, font: { size: 14 } } : undefined,
      margin: { t: spec.title ? 40 : 20, r: 20, b: 60, l: 70 },
      xaxis: { type: "category", automargin: true },
      yaxis: { title: { text: spec.yTitle }, rangemode: "tozero", exponentformat: "none", separatethousands: true },
      showlegend: false,
    };
    Plotly.newPlot(holder, [trace], layout, { displayModeBar: false, responsive: true });
  }
}

document.addEventListener("DOMContentLoaded", drawStatsCharts);

(function () {
  const hidden = new Set();
  let highlight = "";
  const bandsBox = document.getElementById("bands");
  // intervals shown for every strategy, or (many strategies) for the highlighted one only
  const bands = () => !bandsBox || bandsBox.checked;
  const config = {responsive: true, displaylogo: false, doubleClickDelay: 300};
  const charts = [];
  async function unpack() {
    const text = atob(document.getElementById("page-data").textContent.trim());
    const bytes = Uint8Array.from(text, (c) => c.charCodeAt(0));
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return JSON.parse(await new Response(stream).text());
  }

  function styleChart(gd) {
    const idx = [], visible = [], opacity = [], width = [];
    gd.data.forEach((t, i) => {
      const s = t.legendgroup;
      if (!s) return;
      idx.push(i);
      const band = t.meta === "band";
      visible.push(hidden.has(s) ? "legendonly"
                   : (band && !bands() && highlight !== s ? false : true));
      opacity.push(highlight && highlight !== s ? 0.2 : 1);
      const base = t.meta === "line" ? 2 : (t.meta === "band" ? 0 : null);
      width.push(base === 2 && highlight === s ? 4.5 : base);
    });
    if (!idx.length) return Promise.resolve();
    return Plotly.restyle(gd, {visible: visible, opacity: opacity, "line.width": width}, idx);
  }
  function refresh() {
    charts.forEach(styleChart);
    document.querySelectorAll("#leaderboard tbody tr").forEach((row) => {
      const s = row.dataset.strategy;
      row.classList.toggle("hidden", hidden.has(s));
      row.classList.toggle("highlighted", highlight === s);
      row.querySelector("input.show").checked = !hidden.has(s);
    });
    const select = document.getElementById("highlight");
    if (select) select.value = highlight;
  }
  function toggle(s) { if (hidden.has(s)) hidden.delete(s); else hidden.add(s); refresh(); }
  function setHighlight(s) { highlight = highlight === s ? "" : s; refresh(); }
  window.searchbench = {hidden: hidden, toggle: toggle, setHighlight: setHighlight,
                        charts: charts, highlighted: () => highlight};

  function attach(gd) {
    charts.push(gd);
    styleChart(gd);  // the intervals start hidden when there are many strategies
    // Like plotly itself, act on a single click only once no second click has come: acting at
    // once would redraw the legend and plotly would never see the double click.
    let pending = null;
    gd.on("plotly_legendclick", (ev) => {
      const s = ev.data[ev.curveNumber].legendgroup;
      if (!s) return;
      clearTimeout(pending);
      pending = setTimeout(() => { pending = null; toggle(s); }, config.doubleClickDelay);
      return false;
    });
    gd.on("plotly_legenddoubleclick", (ev) => {
      const s = ev.data[ev.curveNumber].legendgroup;
      if (!s) return;
      clearTimeout(pending);
      pending = null;
      setHighlight(s);
      return false;
    });
  }
  unpack().then((data) => {
    const withTemplate = (fig) => Object.assign(fig, {
      layout: Object.assign(fig.layout, {template: data.template})});
    document.querySelectorAll(".chart[data-figure]").forEach((div) => {
      const fig = withTemplate(data.figures[div.dataset.figure]);
      Plotly.newPlot(div, fig.data, fig.layout, config).then(attach);
    });
    const problem = document.getElementById("problem");
    if (!problem) return;
    // plotly decodes typed arrays in place, so each drawing starts from a fresh copy
    const specs = data.problems.map((p) => JSON.stringify(p.figure));
    const div = document.getElementById("chart-problem");
    const show = () => {
      const fig = withTemplate(JSON.parse(specs[Number(problem.value)]));
      return Plotly.react(div, fig.data, fig.layout, config).then(styleChart);
    };
    show().then(() => attach(div));
    problem.addEventListener("change", show);
  });

  const table = document.getElementById("leaderboard");
  if (table) {
    table.querySelectorAll("tbody tr").forEach((row) => {
      const s = row.dataset.strategy;
      row.querySelector("input.show").addEventListener("change", () => toggle(s));
      row.querySelector("button.hl").addEventListener("click", () => setHighlight(s));
    });
    table.querySelectorAll("thead th").forEach((th, column) => {
      th.addEventListener("click", () => {
        const descending = th.classList.contains("asc");
        table.querySelectorAll("thead th").forEach((h) => h.classList.remove("asc", "desc"));
        th.classList.add(descending ? "desc" : "asc");
        const body = table.tBodies[0];
        const key = (row) => row.cells[column].dataset.v;
        const rows = Array.from(body.rows);
        rows.sort((a, b) => {
          const x = key(a), y = key(b);
          if (x === "" || y === "") return (x === "") - (y === "");  // blanks last
          const nx = Number(x), ny = Number(y);
          const order = isNaN(nx) || isNaN(ny) ? x.localeCompare(y) : nx - ny;
          return descending ? -order : order;
        });
        rows.forEach((row) => body.appendChild(row));
      });
    });
  }
  const select = document.getElementById("highlight");
  if (select) select.addEventListener("change", () => { highlight = select.value; refresh(); });
  const all = (show) => () => {
    document.querySelectorAll("#leaderboard tbody tr").forEach((row) => {
      if (show) hidden.delete(row.dataset.strategy); else hidden.add(row.dataset.strategy);
    });
    refresh();
  };
  if (bandsBox) bandsBox.addEventListener("change", refresh);
  const more = document.getElementById("more-columns");
  if (more && table) {
    const label = more.textContent;
    more.addEventListener("click", () => {
      const folded = table.classList.toggle("folded");
      // the equal-time leaderboard folds and unfolds with the main one
      document.querySelectorAll("table.leaderboard").forEach((other) => {
        if (other !== table) other.classList.toggle("folded", folded);
      });
      more.textContent = folded ? label : "show fewer columns";
      more.setAttribute("aria-expanded", String(!folded));
    });
  }
  const showAll = document.getElementById("show-all");
  if (showAll) showAll.addEventListener("click", all(true));
  const hideAll = document.getElementById("hide-all");
  if (hideAll) hideAll.addEventListener("click", all(false));
})();

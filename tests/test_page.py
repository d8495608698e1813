"""The results page (``index.html``) in a real browser: it loads from ``file://`` without a
console error or a request leaving the machine, shows one table row per strategy, hides and
highlights a strategy from the table or a legend, and draws something.

The browser is the system's Chromium, driven by Playwright. Without one the browser tests skip
and say why, except under CI (``CI=true``), where they fail.
"""

import base64
import os
import shutil

import numpy as np
import pandas as pd
import pytest

import synthetic_store as synth
from bench import page, page_charts
from bench.provenance import build_manifest, write_manifest
from bench.report_inputs import collect
from bench.store import open_store
from bench.suite import Suite

BEHAVIOURS = {"random": synth.Behaviour(0), "good": synth.Behaviour(2, suggest_seconds=0.05),
              "best": synth.Behaviour(4, suggest_seconds=0.2)}
CHROMIUM = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
MAX_BYTES = 6_000_000


def unavailable(reason: str):
    """Skip, saying why; under CI a missing browser is a failure, never a skip."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: the browser test must run)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """A small report's folder with its manifest and page (no static figures: they take the
    time, and the page does not need them)."""
    tmp = tmp_path_factory.mktemp("page")
    cat = synth.catalogue(4)
    suite = Suite("synthetic", ("p*",), None, 2, 8)
    store = open_store(tmp / "store.sqlite", cat.fingerprint)
    infos = synth.fill(store, cat, suite, BEHAVIOURS)
    report = collect(suite, cat, infos, store)
    out = tmp / "out"
    out.mkdir()
    (out / "leaderboard.csv").write_text(report.board.table.to_csv(index=False))
    manifest = build_manifest(report, files=["leaderboard.csv", page.PAGE, "manifest.json"])
    write_manifest(report, out / "manifest.json", manifest=manifest)
    page.write_page(out / page.PAGE, page.page_data(report, manifest))
    return out


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    executable = next((p for p in map(shutil.which, CHROMIUM) if p), None)
    if executable is None:
        unavailable(f"no Chromium found (looked for {', '.join(CHROMIUM)})")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        unavailable(f"playwright is not installed ({error})")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("profile")), executable_path=executable, headless=True,
            args=ARGS, viewport={"width": 1400, "height": 1000})
        yield context
        context.close()


@pytest.fixture(scope="module")
def loaded(browser, results):
    """The page, loaded once from file://, with every request, console error and page error
    recorded; requests that would leave the machine are refused."""
    requests, errors = [], []

    def route(r):
        requests.append(r.request.url)
        if r.request.url.startswith(("file://", "data:")):
            r.continue_()
        else:
            r.abort()

    tab = browser.new_page()
    tab.route("**/*", route)
    tab.on("request", lambda request: requests.append(request.url))
    tab.on("console", lambda message: errors.append(message.text)
           if message.type == "error" else None)
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.goto((results / page.PAGE).as_uri())
    # every chart drawn: the page registers a chart once plotly has finished it
    tab.wait_for_function("window.searchbench && window.searchbench.charts.length === "
                          "document.querySelectorAll('.chart').length", timeout=30_000)
    yield tab, requests, errors
    tab.close()


@pytest.fixture
def opened(loaded):
    """The loaded page with every strategy shown and none highlighted (through the page's own
    controls), so each test starts from the same state."""
    tab = loaded[0]
    tab.locator("#show-all").click()
    tab.locator("#highlight").select_option("")
    tab.locator("#problem").select_option(index=0)
    tab.wait_for_function("window.searchbench.hidden.size === 0")
    return loaded


TRACES = """(args) => {
  const [chart, strategy] = args;
  const gd = document.getElementById(chart);
  const mine = gd.data.filter((t) => t.legendgroup === strategy);
  return {traces: mine.length,
          shown: mine.filter((t) => t.visible !== 'legendonly' && t.visible !== false).length,
          drawn: gd.querySelectorAll('.scatterlayer .trace').length};
}"""


def traces(tab, chart, strategy):
    return tab.evaluate(TRACES, [chart, strategy])


def test_page_loads_offline_without_errors(opened, results):
    tab, requests, errors = opened
    assert errors == []
    assert requests and all(u.startswith(("file://", "data:")) for u in requests), requests
    assert tab.evaluate("document.querySelectorAll('script[src], link[href^=http]').length") == 0
    size = (results / page.PAGE).stat().st_size
    assert size < MAX_BYTES, size


def test_the_table_has_one_row_per_strategy(opened):
    tab, _, _ = opened
    rows = tab.locator("#leaderboard tbody tr")
    assert sorted(rows.evaluate_all("rows => rows.map(r => r.dataset.strategy)")) == sorted(
        BEHAVIOURS)
    headers = tab.locator("#leaderboard thead th").all_inner_texts()
    assert any("normalized score" in h for h in headers) and any("W/T/L" in h for h in headers)


def test_a_click_in_the_table_hides_a_strategy_everywhere(opened):
    tab, _, errors = opened
    before = traces(tab, "chart-normalized", "good")
    assert before["traces"] == before["shown"] == 3  # its mean line and its band's two edges
    tab.locator('#leaderboard tr[data-strategy="good"] input.show').click()
    tab.wait_for_function("document.getElementById('chart-normalized').data.filter("
                          "t => t.legendgroup === 'good' && t.visible === 'legendonly').length"
                          " === 3")
    for chart in ("chart-normalized", "chart-normalized-time", "chart-problem", "chart-timing"):
        assert traces(tab, chart, "good")["shown"] == 0, chart
        assert traces(tab, chart, "best")["shown"] > 0, chart
    after = traces(tab, "chart-normalized", "good")
    assert after["drawn"] == before["drawn"] - 3  # plotly removed them from the plot
    # a problem chosen afterwards shows the same strategies
    tab.locator("#problem").select_option(label="p02")
    tab.wait_for_function("document.getElementById('chart-problem').layout.title.text"
                          ".startsWith('p02')")
    assert traces(tab, "chart-problem", "good")["shown"] == 0
    assert traces(tab, "chart-problem", "random")["shown"] > 0
    tab.locator('#leaderboard tr[data-strategy="good"] input.show').click()
    assert traces(tab, "chart-normalized", "good")["shown"] == 3
    assert errors == []


def test_a_click_in_a_legend_hides_a_strategy_and_a_name_highlights_one(opened):
    tab, _, errors = opened
    legend = tab.locator("#chart-normalized g.traces").filter(has_text="best")
    legend.locator("rect.legendtoggle").click()
    # plotly waits out its double-click delay before it reports a single click
    tab.wait_for_function("window.searchbench.hidden.has('best')", timeout=5_000)
    assert traces(tab, "chart-normalized", "best")["shown"] == 0
    assert traces(tab, "chart-timing", "best")["shown"] == 0
    assert tab.locator('#leaderboard tr[data-strategy="best"] input.show').is_checked() is False

    # a double click in a legend highlights, and hides nothing
    tab.locator("#chart-timing g.traces").filter(has_text="good").locator(
        "rect.legendtoggle").dblclick()
    tab.wait_for_function("window.searchbench.highlighted() === 'good'", timeout=5_000)
    tab.wait_for_timeout(600)  # past plotly's double-click delay: no single click follows
    assert tab.evaluate("[...window.searchbench.hidden]") == ["best"]
    assert tab.locator("#highlight").input_value() == "good"

    tab.locator('#leaderboard tr[data-strategy="random"] button.hl').click()
    widths = tab.evaluate("""() => Object.fromEntries(
        document.getElementById('chart-normalized').data.filter(t => t.meta === 'line')
            .map(t => [t.legendgroup, [t.line.width, t.opacity]]))""")
    assert widths["random"][0] > widths["good"][0] and widths["good"][1] < 1
    assert errors == []


def test_a_header_click_sorts_the_table(opened):
    tab, _, _ = opened
    rank = tab.locator("#leaderboard thead th").filter(has_text="mean rank")
    rank.click()
    names = tab.locator("#leaderboard tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.strategy)")
    assert names == ["best", "good", "random"]  # lower mean rank first
    rank.click()
    names = tab.locator("#leaderboard tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.strategy)")
    assert names == ["random", "good", "best"]


def test_the_screenshot_is_not_blank(opened, tmp_path):
    from PIL import Image

    tab, _, _ = opened
    shot = tmp_path / "page.png"
    tab.screenshot(path=str(shot))  # the viewport: the table and the first chart
    pixels = np.asarray(Image.open(shot).convert("RGB")).reshape(-1, 3).astype(np.uint32)
    colours = len(np.unique(pixels[:, 0] << 16 | pixels[:, 1] << 8 | pixels[:, 2]))
    not_white = (pixels < 250).any(axis=1).mean()
    assert colours > 200 and not_white > 0.05, (colours, not_white)


def test_every_leaderboard_column_is_shown_even_unknown_ones(results):
    """Columns another part of the harness adds later appear without a change to the page."""
    import pandas as pd

    board = pd.read_csv(results / "leaderboard.csv").assign(
        rope_wins=[1, 2, 3], rope_ties=[0, 0, 1], rope_losses=[3, 2, 0],
        p_better=[0.91, 0.5, np.nan])
    columns = page.table_columns(board, "random", 0.05)
    headers = [c["header"] for c in columns]
    assert "rope W/T/L vs random" in headers and "P(better)" in headers
    assert "W/T/L vs random" in headers and "normalized score [95% CI]" in headers
    assert "test W/L vs random" in headers  # wins and losses without ties: one column
    better = next(c for c in columns if c["header"] == "P(better)")
    assert better["texts"] == ["0.91", "0.5", "–"]
    # the main columns are shown at first, the others (and any unknown one) folded
    secondary = {c["name"] for c in columns if c["secondary"]}
    assert {"p_better", "normalized_test_score", "test_wins", "normalized_score"}.isdisjoint(
        secondary)
    assert {"rope_wins", "suggest_seconds", "p_worse"} <= secondary
    shown = {c["name"] for c in columns}
    combined = {f"{x}_{s}" for x in ("normalized_score", "effect") for s in ("low", "high")} | {
        f"{p}{o}" for p in ("", "rope_") for o in ("ties", "losses")} | {"test_losses"} | {
        "strategy"} | {  # each P_holm beside its P (wilcoxon_p, sign_p, test_sign_p, ...)
        c for c in board.columns if c.endswith("_holm") and c[: -len("_holm")] in board.columns}
    assert shown | combined == set(board.columns)


def test_every_chart_is_a_figure_plotly_accepts(results):
    import plotly.graph_objects as go

    specs = page.unpack((results / page.PAGE).read_text())
    assert set(specs["figures"]) == {"normalized", "normalized-time", "heatmap", "timing"}
    assert [p["name"] for p in specs["problems"]] == ["p00", "p01", "p02", "p03"]
    for figure in [*specs["figures"].values(), *(p["figure"] for p in specs["problems"])]:
        go.Figure(figure)  # raises on a property or value plotly does not know
    groups = {t.get("legendgroup") for t in specs["figures"]["normalized"]["data"]}
    assert groups == set(BEHAVIOURS)


@pytest.mark.parametrize("case", ["empty store", "no references"])
def test_a_page_is_written_from_partial_data(tmp_path, case):
    cat = synth.catalogue(3, with_references=0 if case == "no references" else None)
    suite = Suite("synthetic", ("p*",), None, 2, 5)
    store = open_store(tmp_path / "store.sqlite", cat.fingerprint)
    # without random search a problem without references cannot be normalized within the report
    infos = ([synth.strategy("random")] if case == "empty store" else
             synth.fill(store, cat, suite, {k: v for k, v in BEHAVIOURS.items()
                                            if k != "random"}))
    report = collect(suite, cat, infos, store)
    text = page.render(page.page_data(report))
    specs = page.unpack(text)
    if case == "empty store":
        assert "No complete run yet" in text and specs["figures"] == {} and not specs["problems"]
    else:
        # no normalized curves without references; the heatmap shows ranks instead
        assert set(specs["figures"]) == {"heatmap", "timing"} and len(specs["problems"]) == 3
        assert specs["figures"]["heatmap"]["layout"]["title"]["text"].startswith("Rank")


# -- reading at a glance: many strategies, curve start, log ticks, per-problem axes ------------
#: Strategy names as a full suite has them (the generative suite's 26), and a few more.
CROWD = ("bayes_opt", "botorch", "cmaes", "grid", "hyperband", "hyperopt_anneal", "hyperopt_tpe",
         "ng_cma", "ng_de", "ng_ngopt", "ng_oneplusone", "ng_pso", "optuna_cmaes", "optuna_gp",
         "optuna_qmc", "optuna_tpe", "pycma", "random", "skopt_et", "skopt_gbrt", "skopt_gp",
         "skopt_rf", "smac", "smac_mf", "sobol", "successive_halving",
         "my_own_strategy_with_a_long_name", "optuna_tpe_multivariate", "nevergrad_bo", "tpe_x")


def test_the_palette_keeps_30_strategies_apart():
    from bench import plots

    styles = plots.palette(CROWD)
    assert len(styles) == 30
    pairs = {(styles[s], styles.dash(s)) for s in CROWD}
    assert len(pairs) == 30  # no two strategies share both colour and line style
    others = sorted(s for s in CROWD if s != "random")
    assert len({styles[s] for s in others}) == len(plots.COLOURS)  # every colour is used
    # neighbours in name order (one library's strategies) never share a colour
    assert all(styles[a] != styles[b] for a, b in zip(others, others[1:]))
    assert styles["random"] == plots.BASELINE_COLOUR and styles.dash("random") == "solid"
    assert plots.BASELINE_COLOUR not in {styles[s] for s in others}
    # fixed per name: the same whatever order the strategies come in
    again = plots.palette(list(reversed(CROWD)))
    assert all(again[s] == styles[s] and again.dash(s) == styles.dash(s) for s in CROWD)
    # the page draws each strategy in its palette colour and style
    data = page.PageData("s", "", pd.DataFrame(), list(CROWD), {s: f"c{i}" for i, s in
                                                                  enumerate(CROWD)},
                         dashes=dict(styles.dashes))
    band = pd.DataFrame([{"strategy": s, "cost": c, "mean": 0.5, "low": 0.4, "high": 0.6}
                         for s in CROWD for c in (1, 2, 3)])
    lines = [t for t in page_charts.normalized_figure(band, "cost", data)["data"]
             if t["meta"] == "line"]
    assert {t["name"]: t["line"]["dash"] for t in lines} == styles.dashes


def _band(rows):
    return pd.DataFrame(rows, columns=["strategy", "cost", "mean", "low", "high"])


def test_the_normalized_curves_start_where_every_strategy_has_a_value_above_the_floor():
    nan = np.nan
    band = _band([
        # a fast starter whose first evaluations plunge far below a random configuration
        ("a", 1, -2.0, -4.0, 0.5), ("a", 2, -0.5, -1.5, 0.6), ("a", 3, 0.4, 0.1, 0.7),
        ("a", 4, 0.6, 0.3, 0.8), ("a", 5, 0.7, 0.5, 0.9),
        # no value (on some problem) before its third evaluation
        ("b", 1, nan, nan, nan), ("b", 2, nan, nan, nan), ("b", 3, 0.5, 0.2, 0.8),
        ("b", 4, 0.6, 0.3, 0.9), ("b", 5, 0.6, 0.3, 0.9)])
    assert page_charts.curve_start(band, "cost") == 3
    # without any plunge the start is where the last strategy gets its first value
    assert page_charts.curve_start(band[band["cost"] >= 2].assign(low=0.0), "cost") == 3
    # a band that never clears the floor does not hide the curves: they start at the values
    stuck = band.assign(low=np.where(band["strategy"] == "a", -5.0, band["low"]))
    assert page_charts.curve_start(stuck, "cost") == 3  # b's first value
    assert page_charts.curve_start(band.iloc[0:0], "cost") is None

    data = page.PageData("s", "", pd.DataFrame(), ["a", "b"], {"a": "rgb(1,2,3)",
                                                               "b": "rgb(4,5,6)"})
    figure = page_charts.normalized_figure(band, "cost", data)
    floor = figure["layout"]["yaxis"]["range"][0]
    assert ("from 3, where every strategy has a value and every band is above -1"
            in figure["layout"]["xaxis"]["title"]["text"])
    for trace in figure["data"]:
        assert trace["x0"] == 3  # every trace starts at the common start
        values = np.frombuffer(base64.b64decode(trace["y"]["bdata"]), "<f4")
        assert np.isfinite(values).all() and (values > floor).all(), trace["name"]


def test_log_axes_have_readable_ticks_with_units():
    ticks = page_charts.log_ticks(0.03, 40)
    assert ticks["ticktext"] == ["0.05 s", "0.1 s", "0.2 s", "0.5 s", "1 s", "2 s", "5 s",
                                 "10 s", "20 s"]
    assert ticks["tickvals"] == [0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20]
    wide = page_charts.log_ticks(1e-4, 300)  # beyond about three decades: powers of ten only
    assert wide["ticktext"] == ["0.0001 s", "0.001 s", "0.01 s", "0.1 s", "1 s", "10 s", "100 s"]
    narrow = page_charts.log_ticks(0.0072, 0.013)  # too narrow for 1-2-5: every digit
    assert narrow["ticktext"] == ["0.008 s", "0.009 s", "0.01 s"]


def test_every_log_axis_of_the_page_uses_the_readable_ticks(results):
    specs = page.unpack((results / page.PAGE).read_text())
    axes = [specs["figures"]["normalized-time"]["layout"]["xaxis"],
            specs["figures"]["timing"]["layout"]["xaxis"],
            specs["figures"]["timing"]["layout"]["yaxis"],
            *(p["figure"]["layout"]["xaxis2"] for p in specs["problems"])]
    for axis in axes:
        assert axis["type"] == "log" and axis["tickmode"] == "array", axis
        low, high = (10 ** v for v in axis["range"])
        assert len(axis["tickvals"]) >= 2 and all(low <= v <= high for v in axis["tickvals"])
        assert all(t.endswith(" s") and float(t[:-2]) == v
                   for t, v in zip(axis["ticktext"], axis["tickvals"]))


def test_each_problem_names_its_own_metric_and_validation_protocol():
    from bench.page_data import validation

    assert validation({"cv": 5, "test_size": 0.2, "split_seed": 0}) == "5-fold CV"
    assert validation({"validation_size": 0.2, "test_size": 0.2}) == "one 20% validation split"
    assert validation({"cv": 1}) == "one validation split"
    assert validation(None) == ""
    data = page.PageData(
        "s", "", pd.DataFrame(), ["a"], {"a": "rgb(1,2,3)"},
        metrics={"knn-wine": "accuracy", "vae-digits": "held-out ELBO per example (nats)",
                 "mine": "score"},
        protocols={"knn-wine": "5-fold CV", "vae-digits": "one 20% validation split",
                   "mine": ""},
        convergence=pd.DataFrame([{"problem": p, "strategy": "a", "cost": c, "mean": 0.5 + c,
                                   "low": 0.4, "high": 0.6}
                                  for p in ("knn-wine", "vae-digits", "mine") for c in (1, 2)]))
    figures = page_charts.problem_figures(data)
    title = {p: f["layout"]["title"]["text"] for p, f in figures.items()}
    axis = {p: f["layout"]["yaxis"]["title"]["text"] for p, f in figures.items()}
    assert "accuracy (5-fold CV)" in title["knn-wine"] and axis["knn-wine"] == (
        "best-so-far accuracy (5-fold CV)")
    assert "CV" not in title["vae-digits"] + axis["vae-digits"]
    assert "ELBO" in axis["vae-digits"] and "one 20% validation split" in axis["vae-digits"]
    assert axis["mine"] == "best-so-far score" and "CV" not in title["mine"]


def test_the_catalogue_gives_the_deep_problems_one_validation_split():
    """The protocols come from the problems' own descriptions, not from the page's code."""
    from bench.catalogue import load_catalogue
    from bench.page_data import validation

    catalogue = load_catalogue()
    protocols = {pid: validation(p.to_dict().get("protocol"))
                 for pid, p in catalogue.problems.items()}
    deep = [pid for pid, p in catalogue.problems.items() if "torch" in p.requires]
    assert len(deep) >= 2 and all(protocols[p] == "one 20% validation split" for p in deep), (
        protocols)
    assert all(protocols[p] == "5-fold CV" for p in protocols if p not in deep)


@pytest.fixture(scope="module")
def crowded(browser, tmp_path_factory):
    """A page of 30 strategies with a full suite's names (after ``browser``: without one, it is
    not built)."""
    tmp = tmp_path_factory.mktemp("crowded")
    cat = synth.catalogue(2)
    suite = Suite("synthetic", ("p*",), None, 2, 6)
    store = open_store(tmp / "store.sqlite", cat.fingerprint)
    infos = synth.fill(store, cat, suite, {s: synth.Behaviour(i % 4) for i, s in
                                           enumerate(CROWD)})
    report = collect(suite, cat, infos, store)
    page.write_page(tmp / page.PAGE, page.page_data(report))
    tab = browser.new_page()
    tab.goto((tmp / page.PAGE).as_uri())
    tab.wait_for_function("window.searchbench && window.searchbench.charts.length === "
                          "document.querySelectorAll('.chart').length", timeout=60_000)
    yield tab
    tab.close()


WIDTH = """() => {
  const table = document.getElementById('leaderboard');
  const box = table.parentElement;
  return {table: table.getBoundingClientRect().right, page: document.documentElement.clientWidth,
          scroll: box.scrollWidth - box.clientWidth,
          columns: [...table.querySelectorAll('thead th')].filter(h => h.offsetParent).length};
}"""


def test_a_crowded_leaderboard_fits_1400_px_and_no_two_strategies_look_alike(crowded):
    tab = crowded
    assert tab.viewport_size["width"] == 1400
    fits = tab.evaluate(WIDTH)
    assert fits["scroll"] <= 0 and fits["table"] <= fits["page"], fits
    headers = [h for h in tab.locator("#leaderboard thead th").all_inner_texts() if h]
    assert any("P(better)" in h for h in headers) and any("test" in h for h in headers)
    # the folded columns unfold on request
    tab.locator("#more-columns").click()
    assert tab.evaluate(WIDTH)["columns"] > fits["columns"]
    tab.locator("#more-columns").click()
    assert tab.evaluate(WIDTH)["columns"] == fits["columns"]

    styles = tab.evaluate("""() => {
      // the mean lines (against evaluations: the per-problem chart has a second panel)
      const lines = (id) => document.getElementById(id).data
          .filter(t => t.meta === 'line' && t.xaxis !== 'x2').map(t => [t.legendgroup, t.line.color, t.line.dash || 'solid']);
      const swatches = [...document.querySelectorAll('#leaderboard tbody tr')].map(r => {
          const line = r.querySelector('svg.swatch line');
          return [r.dataset.strategy, line.getAttribute('stroke'),
                  line.getAttribute('stroke-dasharray') || 'solid']; });
      return {normalized: lines('chart-normalized'), problem: lines('chart-problem'),
              swatches: swatches};
    }""")
    for where, drawn in styles.items():
        assert sorted(s for s, _, _ in drawn) == sorted(CROWD), where
        assert len({(c, d) for _, c, d in drawn}) == len(CROWD), where
    # the same strategy looks the same in every chart
    assert sorted(styles["normalized"]) == sorted(styles["problem"])
    # with this many strategies the intervals start hidden; a highlight shows its own
    bands = """(s) => document.getElementById('chart-normalized').data
        .filter(t => t.meta === 'band' && (s === null || t.legendgroup === s))
        .filter(t => t.visible !== false && t.visible !== 'legendonly').length"""
    assert tab.evaluate(bands, None) == 0
    tab.locator("#highlight").select_option("skopt_gp")
    tab.wait_for_function(f"({bands})('skopt_gp') === 2")
    assert tab.evaluate(bands, None) == 2
    tab.locator("#bands").check()
    tab.wait_for_function(f"({bands})(null) === {2 * len(CROWD)}")

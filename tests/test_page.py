"""The results page (``index.html``) in a real browser: it loads from ``file://`` without a
console error or a request leaving the machine, shows one table row per strategy, hides and
highlights a strategy from the table or a legend, and draws something.

The browser is the system's Chromium, driven by Playwright. Without one the browser tests skip
and say why, except under CI (``CI=true``), where they fail.
"""

import os
import shutil

import numpy as np
import pytest

import synthetic_store as synth
from bench import page
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
    assert "rope W/T/L vs random" in headers and "p better" in headers
    assert "W/T/L vs random" in headers and "normalized score [95% CI]" in headers
    better = next(c for c in columns if c["header"] == "p better")
    assert better["texts"] == ["0.91", "0.5", "–"]
    shown = {c["name"] for c in columns}
    combined = {f"{x}_{s}" for x in ("normalized_score", "effect") for s in ("low", "high")} | {
        f"{p}{o}" for p in ("", "rope_") for o in ("ties", "losses")} | {
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

"""The HTML tables of ``index.html``: the sortable leaderboard, the manifest's facts and the
links to the files beside the page."""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from bench.page_data import PageData

#: Headers of the leaderboard columns the page knows; any other column is shown under its name.
LABELS = {
    "strategy": "strategy", "normalized_score": "normalized score [95% CI]",
    "effect": "effect vs random [95% CI]",
    "normalized_test_score": "normalized test score", "mean_rank": "mean rank",
    "wilcoxon_p": "p Wilcoxon (Holm), primary", "sign_p": "p sign (Holm), secondary", "problems": "problems",
    "normalized_problems": "problems with references", "runs": "runs",
    "suggest_seconds": "suggest s / run", "eval_seconds": "evaluate s / run",
    "p_better": "P(better)", "p_equivalent": "P(equivalent)", "p_worse": "P(worse)",
}
#: The columns shown at first (with ``#`` and the strategy): the score, its effect and holdout
#: counterpart, the rank, the paired comparison with the baseline and P(better). Every other
#: column, including any added later, is folded behind the table's "more columns" button, so
#: the table fits 1,400 px.
PRIMARY = ("normalized_score", "effect", "normalized_test_score", "mean_rank", "wins",
           "wilcoxon_p", "p_better", "test_wins")

#: The p-value column of the primary test (protocol v3): the only one whose significance is bold.
PRIMARY_TEST_COLUMNS = {"wilcoxon_p"}


def _number(value) -> str:
    if value is None or pd.isna(value):
        return "–"
    if isinstance(value, (int, np.integer)) or float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value)}"
    return f"{value:.4g}"


def _sort_key(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, (int, float, np.integer, np.floating)):
        return repr(float(value))
    return str(value)


def table_columns(board: pd.DataFrame, baseline: str | None, alpha: float) -> list[dict]:
    """The leaderboard's columns as the page shows them, each with a header, a cell text per row
    and a sort key per row. Every column of ``board`` is shown: ``X`` with ``X_low``/``X_high``
    becomes ``X [low, high]``; ``P`` with ``P_holm`` becomes ``P (Holm)``, bold below
    ``alpha`` for the primary test (:data:`PRIMARY_TEST_COLUMNS`); ``<prefix>wins``/``ties``/
    ``losses`` become one W/T/L column; anything else is shown by name, numbers with four
    significant digits; ``<prefix>wins``/``losses`` without ties become one W/L column. Columns
    not in :data:`PRIMARY` are marked ``secondary``: the page folds them until asked."""
    names = list(board.columns)
    used: set[str] = set()
    columns = []
    rows = board.to_dict("records")
    for name in names:
        if name in used:
            continue
        used.add(name)
        values = [row[name] for row in rows]
        header = LABELS.get(name, name.replace("_", " "))
        if name == "strategy":
            continue  # its own cell, with the show/hide and highlight controls
        if f"{name}_low" in names and f"{name}_high" in names:
            used |= {f"{name}_low", f"{name}_high"}
            texts = []
            for row in rows:
                value, low, high = row[name], row[f"{name}_low"], row[f"{name}_high"]
                text = _number3(value)
                if pd.notna(value) and pd.notna(low):
                    text += f" [{_number3(low)}, {_number3(high)}]"
                texts.append(text)
            if name not in LABELS:
                header = f"{header} [interval]"
        elif name.endswith("wins") and {f"{name[:-4]}ties", f"{name[:-4]}losses"} <= set(names):
            prefix = name[:-4]
            used |= {f"{prefix}ties", f"{prefix}losses"}
            label = prefix.replace("_", " ").strip()
            header = (f"{label} W/T/L" if label else "W/T/L") + (f" vs {baseline}" if baseline
                                                                 else "")
            texts = ["–" if pd.isna(row[name]) else
                     f"{row[name]}/{row[f'{prefix}ties']}/{row[f'{prefix}losses']}"
                     for row in rows]
            if baseline:
                texts = ["(baseline)" if row["strategy"] == baseline and text == "–" else text
                         for row, text in zip(rows, texts)]
        elif name.endswith("wins") and f"{name[:-4]}losses" in names:
            prefix = name[:-4]
            used.add(f"{prefix}losses")
            label = prefix.replace("_", " ").strip()
            header = (f"{label} W/L" if label else "W/L") + (f" vs {baseline}" if baseline
                                                           else "")
            texts = ["–" if pd.isna(row[name]) else f"{row[name]}/{row[f'{prefix}losses']}"
                     for row in rows]
            if baseline:
                texts = ["(baseline)" if row["strategy"] == baseline and text == "–" else text
                         for row, text in zip(rows, texts)]
        elif f"{name}_holm" in names:
            used.add(f"{name}_holm")
            texts = []
            for row in rows:
                p, holm = row[name], row[f"{name}_holm"]
                if pd.isna(p):
                    texts.append("–")
                    continue
                text = f"{p:.3g}" + (f" ({holm:.3g})" if pd.notna(holm) else "")
                # bold marks a claim, and claims rest on the primary test alone
                texts.append(f"<b>{text}</b>" if name in PRIMARY_TEST_COLUMNS and pd.notna(holm)
                             and holm < alpha else text)
        elif not pd.api.types.is_numeric_dtype(board[name]):
            texts = [html.escape("–" if v is None or v != v else str(v)) for v in values]
        elif name in ("normalized_test_score", "mean_rank"):
            texts = [_number3(v) for v in values]
        else:
            texts = [_number(v) for v in values]
        columns.append({"name": name, "header": header, "texts": texts,
                        "keys": [_sort_key(v) for v in values],
                        "secondary": name not in PRIMARY})
    return columns


def _number3(value) -> str:
    return "–" if value is None or pd.isna(value) else f"{value:.3f}"


#: SVG dash patterns of plotly's line styles, for the leaderboard's swatches.
DASH_ARRAYS = {"dash": "5,3", "dot": "2,2", "dashdot": "5,2,2,2", "longdash": "8,3"}


def _swatch(colour: str, dash: str | None) -> str:
    """A short line in the strategy's colour and line style, as its charts draw it."""
    pattern = DASH_ARRAYS.get(dash or "solid")
    extra = f' stroke-dasharray="{pattern}"' if pattern else ""
    return (f'<svg class="swatch" width="24" height="10" aria-hidden="true"><line x1="0" y1="5" '
            f'x2="24" y2="5" stroke="{colour}" stroke-width="3"{extra}/></svg>')


def leaderboard_html(data: PageData, board: pd.DataFrame | None = None,
                     table_id: str = "leaderboard") -> str:
    """The leaderboard ``board`` (the page's main one, at equal evaluations, when not given) as
    a table. Only the main table (id ``leaderboard``) carries the controls the page's script
    drives (sorting, show or hide, highlight); another table is plain."""
    board = data.board if board is None else board
    if board.empty:
        return "<p>No complete run yet.</p>"
    main = table_id == "leaderboard"
    columns = table_columns(board, data.baseline, data.alpha)
    head = ['<th data-type="num">#</th>', '<th title="click the box to hide or show, the name to '
            'highlight">strategy</th>' if main else "<th>strategy</th>"]
    more = [' class="more"' if c["secondary"] else "" for c in columns]
    head += [f'<th{m} title="{html.escape(c["name"])}">{html.escape(c["header"])}</th>'
             for c, m in zip(columns, more)]
    body = []
    for i, strategy in enumerate(board["strategy"]):
        colour = data.colours.get(strategy, "#333")
        name = html.escape(strategy)
        swatch = _swatch(colour, data.dashes.get(strategy))
        label = (f'<label><input type="checkbox" class="show" checked aria-label="show {name}"> '
                 f'{swatch}</label> <button class="hl" type="button">{name}</button>' if main
                 else f"{swatch} {name}")
        cells = [f'<td data-v="{i + 1}">{i + 1}</td>', f'<td data-v="{name}">{label}</td>']
        cells += [f'<td{m} data-v="{html.escape(c["keys"][i])}">{c["texts"][i]}</td>'
                  for c, m in zip(columns, more)]
        body.append(f'<tr data-strategy="{name}">{"".join(cells)}</tr>')
    folded = sum(c["secondary"] for c in columns)
    # one button, above the main table, unfolds the secondary columns of every leaderboard
    toggle = (f'<p class="controls"><button type="button" id="more-columns" aria-expanded='
              f'"false">show {folded} more columns</button></p>' if folded and main else "")
    return (f'{toggle}<div class="scroll"><table id="{html.escape(table_id)}" '
            f'class="leaderboard folded"><thead><tr>{"".join(head)}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')


def manifest_html(manifest: Mapping) -> str:
    if not manifest:
        return "<p>No manifest.</p>"
    catalogue = manifest.get("catalogue", {})
    source = manifest.get("source") or {}
    machine = manifest.get("machine", {})
    suite = manifest.get("suite", {})
    installed = (manifest.get("packages") or {}).get("installed", {})
    commit = source.get("commit") or "(not a git checkout)"
    if source.get("uncommitted_changes"):
        commit += " (with uncommitted changes)"
    facts = [
        ("searchbench", manifest.get("searchbench")), ("written", manifest.get("created")),
        ("commit", commit), ("catalogue", catalogue.get("version")),
        ("fingerprint", catalogue.get("fingerprint")),
        ("budget", f"{suite.get('budget')} {suite.get('budget_unit', '')}"),
        ("seeds", len(suite.get("seeds", []))),
        ("strategies", ", ".join(f"{s['name']} ({s.get('library') or '-'} "
                                 f"{s.get('library_version') or ''})".replace(" )", ")")
                                 for s in manifest.get("strategies", []))),
        ("machine", f"{machine.get('cpu')}, {machine.get('cores')} cores, {machine.get('os')}, "
                    f"Python {machine.get('python')}"),
        ("libraries", ", ".join(f"{k} {v}" for k, v in installed.items()
                                if k.lower() in ("numpy", "pandas", "scipy", "scikit-learn",
                                                 "plotly", "optuna", "smac", "hyperopt"))),
    ]
    rows = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>"
                   for k, v in facts if v not in (None, ""))
    full = html.escape(json.dumps(manifest, indent=2, default=str))
    return (f'<table class="facts">{rows}</table><details><summary>the whole '
            f'<a href="manifest.json">manifest.json</a></summary><pre>{full}</pre></details>')


FILE_KINDS = (("report", ("README.md", "manifest.json")),
              ("tables", (".csv", ".csv.gz", ".parquet", ".md", ".tex")),
              ("figures (PDF)", (".pdf",)), ("figures (PNG)", (".png",)), ("other", ("",)))


def files_html(files: Sequence[str]) -> str:
    if not files:
        return "<p>No files.</p>"
    items, seen = [], set()
    for kind, suffixes in FILE_KINDS:
        mine = [f for f in files if f not in seen and any(f.endswith(s) for s in suffixes)]
        seen.update(mine)
        if mine:
            links = " ".join(f'<a href="{html.escape(f)}">{html.escape(f)}</a>' for f in mine)
            items.append(f"<li>{kind}: {links}</li>")
    return f'<ul class="files">{"".join(items)}</ul>'

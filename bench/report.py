"""``searchbench report``: from the store to ``results/<suite>/``, one part after the other.

The folder holds the trial record (CSV and Parquet), one row per run (``runs.csv``), the
leaderboard (Markdown, CSV, LaTeX), the figures (PNG and PDF), a manifest of everything needed to
reproduce the numbers, and ``README.md``, the report itself. The report is written from whatever
the store holds: runs that are missing, problems without references, a suite without random
search or with one strategy are said in the report instead of stopping it.

The parts live in their own modules: the report's data, read and computed once, and the digest
of its inputs (:mod:`bench.report_inputs`, with the curves of :mod:`bench.report_curves`); the
text of its tables (:mod:`bench.report_text`); and the writers, which read that data and call
nothing above it: the tables (:mod:`bench.tables`), the results by kind of problem
(:mod:`bench.by_kind`), the figures (:mod:`bench.figures`), the
README (:mod:`bench.readme`), the manifest (:mod:`bench.provenance`) and the page
(:mod:`bench.page`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from bench import page
from bench.by_kind import write_by_kind
from bench.catalogue import Catalogue
from bench.errors import BadInput
from bench.figures import draw_figures
from bench.provenance import build_manifest, write_manifest
from bench.readme import readme
from bench.report_inputs import collect, inputs_digest, plan_report, up_to_date
from bench.store import Store
from bench.strategy import StrategyInfo
from bench.suite import Suite
from bench.tables import write_tables

#: What the README says when a report is written with ``figures=False``.
NO_FIGURES = "no figures were drawn: this report was written without them"


def check_output(out: Path) -> None:
    """Raise :class:`BadInput` if ``out`` cannot hold the report; writes nothing."""
    if out.exists() and not out.is_dir():
        raise BadInput(f"--out {out} is a file, not a folder")
    parent = out
    while not parent.exists():
        parent = parent.parent
    if not os.access(parent, os.W_OK | os.X_OK):
        raise BadInput(f"--out {out} cannot be written: {parent} is not writable")


def write_report(suite: Suite, catalogue: Catalogue, strategies: Sequence[StrategyInfo],
                 store: Store, out: Path, force: bool = True, *, figures: bool = True
                 ) -> list[Path]:
    """Write ``results/<suite>/`` into ``out``; return the files written. Unless ``force``, a
    report whose inputs (see :func:`inputs_digest`) have not changed since it was written is left
    as it is, and nothing is returned. ``figures=False`` draws no figure (the README says so):
    drawing them is most of a report's time, which a caller reading only the tables, the README
    or the page need not spend. Such a report is never up to date for a call that asks for them.

    One pass: the suite's runs are asked of the planner once, the store is read once, the
    statistics are computed once into the :class:`bench.report_inputs.Report`, and each writer
    reads that and nothing above it."""
    planned = plan_report(suite, catalogue, strategies)
    # a report without figures is another report: a later call asking for them draws them
    digest = (inputs_digest(suite, catalogue, strategies, store, planned)
              + ("" if figures else "-figureless"))
    if not force and up_to_date(out, digest):
        return []
    report = collect(suite, catalogue, strategies, store, planned)
    out.mkdir(parents=True, exist_ok=True)
    written = write_tables(report, out)
    written += write_by_kind(report, out)
    drawn, skipped = draw_figures(report, out) if figures else ([], [NO_FIGURES])
    written += [p for f in drawn for p in f.paths]
    (out / "README.md").write_text(readme(report, drawn, skipped))
    written.append(out / "README.md")
    files = sorted(p.name for p in written) + [page.PAGE, "manifest.json"]
    manifest = build_manifest(report, digest, files)
    written.append(write_manifest(report, out / "manifest.json", manifest=manifest))
    written.append(page.write_page(out / page.PAGE, page.page_data(report, manifest)))
    return written

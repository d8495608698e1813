"""The report's table files: the trial record (CSV and Parquet), one row per run
(``runs.csv``), the leaderboard at equal evaluations in CSV, Markdown and LaTeX and the one at
equal time in CSV and Markdown, written from the report's data with the text of
:mod:`bench.report_text`."""

from __future__ import annotations

from pathlib import Path

from bench.report_inputs import Report
from bench.report_text import (leaderboard_latex, leaderboard_legend, leaderboard_markdown,
                               summary_line, trials_csv_name)

EQUAL_TIME_CSV = "leaderboard_equal_time.csv"
EQUAL_TIME_MD = "leaderboard_equal_time.md"


def write_tables(report: Report, out: Path) -> list[Path]:
    trials = report.trials
    csv_name = trials_csv_name(len(trials))
    for stale in {"trials.csv", "trials.csv.gz"} - {csv_name}:
        (out / stale).unlink(missing_ok=True)
    # mtime 0: the same trials give the same bytes
    trials.to_csv(out / csv_name, index=False, compression={"method": "gzip", "mtime": 0}
                  if csv_name.endswith(".gz") else None)
    trials.to_parquet(out / "trials.parquet", index=False)
    report.runs.to_csv(out / "runs.csv", index=False)  # full precision: runs are compared exactly
    board = report.board.table
    board.to_csv(out / "leaderboard.csv", index=False, float_format="%.6g")
    notes = "".join(f"- {note}\n" for note in report.board.notes)
    (out / "leaderboard.md").write_text(
        f"# Leaderboard at equal evaluations: suite `{report.suite.name}`\n\n{summary_line(report)}\n\n"
        f"{leaderboard_markdown(report)}\n\n{leaderboard_legend(report)}\n"
        + (f"\n{notes}" if notes else ""))
    (out / "leaderboard.tex").write_text(leaderboard_latex(report))
    names = [csv_name, "trials.parquet", "runs.csv", "leaderboard.csv", "leaderboard.md",
             "leaderboard.tex"]
    if report.board_time is not None:
        names += write_equal_time(report, out)
    return [out / name for name in names]


def write_equal_time(report: Report, out: Path) -> list[str]:
    """The equal-time leaderboard (runs cut at random search's seconds) in CSV and Markdown,
    beside the leaderboard at equal evaluations; returns the names written."""
    board = report.board_time
    board.table.to_csv(out / EQUAL_TIME_CSV, index=False, float_format="%.6g")
    notes = "".join(f"- {note}\n" for note in board.notes)
    (out / EQUAL_TIME_MD).write_text(
        f"# Leaderboard at equal time: suite `{report.suite.name}`\n\n{summary_line(report)}\n\n"
        f"{leaderboard_markdown(report, board)}\n\n{leaderboard_legend(report, board)}\n"
        + (f"\n{notes}" if notes else ""))
    return [EQUAL_TIME_CSV, EQUAL_TIME_MD]

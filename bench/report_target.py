"""Where ``searchbench report`` writes, and what it says before and after: the choice that keeps
committed results from being replaced by a report they did not come from.

``results/<suite>/`` is written only from the suite's own default store and settings (what
``make bench`` runs). A report from another store or with other filters goes to ``--out`` or to a
folder of its own beside its store, named after it; and a folder that holds committed results
(tracked by git, or holding the manifest of a report with other settings) is replaced only when
``--overwrite`` says so. Without this, one ``report --store other.sqlite`` replaced the committed
``results/quick/``, from which new stores are seeded.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.errors import BadInput
from bench.paths import default_store, project_root
from bench.store import Store
from bench.suite import Suite

#: How many of the leaderboard's rows ``report`` prints after writing.
TOP_ROWS = 5


@dataclass(frozen=True)
class Settings:
    """What a report is made from, as its manifest records it: the suite and its overrides."""

    suite: str
    problems: tuple[str, ...]
    strategies: tuple[str, ...] | None
    seeds: int
    budget: int

    @classmethod
    def of(cls, suite: Suite) -> Settings:
        return cls(suite.name, tuple(suite.problems),
                   tuple(suite.strategies) if suite.strategies else None, suite.seeds,
                   suite.budget)

    @classmethod
    def from_manifest(cls, path: Path) -> Settings | None:
        """The settings a manifest records, or None when it cannot be read as one."""
        try:
            suite = json.loads(path.read_text())["suite"]
            return cls(suite["name"], tuple(suite["problem_patterns"]),
                       tuple(suite["strategy_patterns"]) if suite["strategy_patterns"] else None,
                       len(suite["seeds"]), int(suite["budget"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def describe(self) -> str:
        strategies = ",".join(self.strategies) if self.strategies else "every available"
        return (f"suite {self.suite}, problems {','.join(self.problems)}, strategies "
                f"{strategies}, {self.seeds} seeds, budget {self.budget}")


def own_folder(store_path: Path, suite: Suite) -> Path:
    """The folder of a report that is not the suite's own: beside its store, named after it."""
    return store_path.parent / f"{store_path.stem}-{suite.name}"


def output_folder(suite: Suite, base: Suite, store_path: Path, out: Path | None) -> Path:
    """The folder ``report`` writes into: ``out`` when given; else ``results/<suite>/`` when the
    store is the default one and the settings are the suite's own (``base`` is the suite as its
    file defines it, before the command's overrides); else a folder beside the store."""
    if out is not None:
        return Path(out)
    return suite_results(suite) if _own(suite, base, store_path) else own_folder(store_path,
                                                                                   suite)


def suite_results(suite: Suite) -> Path:
    """The suite's own results folder, ``results/<suite>/``."""
    return project_root() / "results" / suite.name


def _own(suite: Suite, base: Suite, store_path: Path) -> bool:
    """Whether a report is the suite's own: from the default store, with the suite's settings."""
    return (Settings.of(suite) == Settings.of(base)
            and store_path.resolve() == default_store().resolve())


def check_replace(target: Path, suite: Suite, base: Suite, store_path: Path,
                  overwrite: bool) -> None:
    """Raise :class:`BadInput` when ``target`` holds committed results that this report did not
    come from, unless ``overwrite``. The suite's own results, written from its own store and
    settings, are what ``make bench`` rewrites, and are not checked."""
    if overwrite or (_own(suite, base, store_path)
                     and target.resolve() == suite_results(suite).resolve()):
        return
    reason = committed(target, Settings.of(suite))
    if reason:
        raise BadInput(f"{target} {reason}, which this report (from store {store_path}, "
                       f"{Settings.of(suite).describe()}) would replace; give another "
                       "folder with --out, or --overwrite to replace it")


def committed(folder: Path, settings: Settings) -> str:
    """Why ``folder`` holds committed results ("" when it does not): files tracked by git, or
    the manifest of a report made with other settings."""
    if not folder.is_dir():
        return ""
    if tracked_by_git(folder):
        return "holds results tracked by git"
    manifest = folder / "manifest.json"
    if manifest.is_file():
        theirs = Settings.from_manifest(manifest)
        if theirs != settings:
            made = theirs.describe() if theirs else "settings it does not record"
            return f"holds a report made with other settings ({made})"
    return ""


def tracked_by_git(folder: Path) -> bool:
    """Whether git tracks any file under ``folder`` (False outside a repository or without git)."""
    try:
        proc = subprocess.run(["git", "-C", str(folder), "ls-files", "--", "."],
                              capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return proc.returncode == 0 and bool(proc.stdout.strip())


def check_runs_present(store: Store, complete: int, suite: Suite, strategies: Sequence[str],
                       problems: Sequence[str], store_path: Path) -> None:
    """Raise :class:`BadInput` when none of the suite's runs (``complete`` of them are) is in
    the store, naming the settings the store does hold, instead of writing an empty report."""
    if complete:
        return
    held = store.complete_runs()
    base = f"store {store_path} holds none of the {suite.name} runs asked for " \
           f"({len(problems)} problems, {len(strategies)} strategies, {suite.seeds} seeds, " \
           f"budget {suite.budget})"
    if not held:
        raise BadInput(f"{base}: it holds no complete run; run `searchbench run {suite.name}` "
                       "first (with the same options)")
    hints = settings_held(held, strategies, problems, (suite.budget, suite.seeds))
    listed = "; ".join(hints)
    raise BadInput(f"{base}. It holds complete runs at: {listed}. Give those options to "
                   "report them (or run the suite first)")


def settings_held(held: Sequence[tuple[str, str, int, int]], strategies: Sequence[str],
                  problems: Sequence[str], asked: tuple[int, int]) -> list[str]:
    """The options that select the complete runs ``held`` (problem, strategy, seed, budget), one
    line per budget, such as ``--budget 10 --seeds 1 --problems knn-wine (2 runs)``.
    ``--strategies`` and ``--problems`` are given only where they differ from the command's;
    ``asked`` is the command's (budget, seeds): runs of those very settings that are not the
    suite's were made by other versions of its strategies or problems."""
    by_budget: dict[int, list[tuple[str, str, int, int]]] = {}
    for row in held:
        by_budget.setdefault(row[3], []).append(row)
    lines = []
    for budget, rows in sorted(by_budget.items()):
        seeds = max(r[2] for r in rows) + 1
        options = [f"--budget {budget}", f"--seeds {seeds}"]
        names = sorted({r[1] for r in rows})
        if set(names) != set(strategies):
            options.append(f"--strategies {','.join(names)}")
        ids = sorted({r[0] for r in rows})
        if set(ids) != set(problems):
            options.append(f"--problems {','.join(ids)}")
        line = f"{' '.join(options)} ({len(rows)} runs)"
        if len(options) == 2 and (budget, seeds) == asked:
            line += (", made by other versions of these strategies or problems (edited since): "
                     "`searchbench run` computes them again")
        lines.append(line)
    return lines


def summary(out: Path, say: Callable[[str], None], rows: int = TOP_ROWS) -> None:
    """Say who leads and how sure the report can be, from what the report wrote: the
    leaderboard's first rows (``leaderboard.csv``) and its power statement (``leaderboard.md``)."""
    import pandas as pd

    board_path = out / "leaderboard.csv"
    if not board_path.is_file():
        return
    board = pd.read_csv(board_path)
    if board.empty:
        return
    say(f"leaderboard ({len(board)} strategies, every column in {board_path}):")
    for rank, row in enumerate(board.head(rows).itertuples(index=False), start=1):
        score = getattr(row, "normalized_score", float("nan"))
        low = getattr(row, "normalized_score_low", float("nan"))
        high = getattr(row, "normalized_score_high", float("nan"))
        interval = f" [{low:.3f}, {high:.3f}]" if pd.notna(low) and pd.notna(high) else ""
        text = f"normalized score {score:.3f}{interval}" if pd.notna(score) else \
            "normalized score - (compared by rank only)"
        mean_rank = getattr(row, "mean_rank", float("nan"))
        ranked = f", mean rank {mean_rank:.2f}" if pd.notna(mean_rank) else ""
        say(f"  {rank:>2}. {row.strategy:<20} {text}{ranked}")
    for name in ("leaderboard.md", "README.md"):
        path = out / name
        if path.is_file():
            power = next((line.strip() for line in path.read_text().splitlines()
                          if line.lstrip("*_ ").startswith("Power")), None)
            if power:
                say(power)
                return

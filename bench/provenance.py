"""Provenance of a report: ``manifest.json``, with the packages, the machine, the source
checkout and everything else needed to reproduce (and cite) its numbers."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from collections.abc import Sequence
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import numpy as np

from bench import power, stats
from bench.environment import distribution_version
from bench.paths import project_root
from bench.report_inputs import Report

LOCK_FILE = "requirements.lock"
#: The torch extra's own lock (``make install-torch``); its packages are recorded when installed.
EXTRA_LOCK_FILES = ("requirements-torch.lock",)


def write_manifest(report: Report, path: Path, digest: str = "", files: Sequence[str] = (),
                   manifest: dict | None = None) -> Path:
    """Write ``manifest`` (by default :func:`build_manifest` of the other arguments) to ``path``
    and return it."""
    if manifest is None:
        manifest = build_manifest(report, digest, files)
    path.write_text(json.dumps(manifest, indent=2) + "\n")
    return path


def build_manifest(report: Report, digest: str = "", files: Sequence[str] = ()) -> dict:
    """Everything needed to reproduce (and cite) the numbers of this report, as plain JSON
    values (what ``manifest.json`` holds, so the page can show it without reading it back);
    ``digest`` and ``files`` tell a later ``report`` whether it has anything new to write."""
    suite = report.suite
    counts = {state: 0 for state in ("complete", "partial", "failed", "missing")}
    for spec in report.specs:
        counts[report.status.get(spec.run_id, "missing")] += 1
    manifest = {
        "searchbench": distribution_version("searchbench"),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "suite": {
            "name": suite.name, "description": suite.description,
            "problem_patterns": list(suite.problems), "problems": report.problems,
            "strategy_patterns": list(suite.strategies) if suite.strategies else None,
            "seeds": list(range(suite.seeds)), "budget": suite.budget,
            "budget_unit": "full-fidelity evaluations per run",
        },
        "catalogue": {
            "version": report.catalogue.version,
            "fingerprint": report.catalogue.fingerprint,
            "module": report.catalogue.module,
            # seeding compares these: a run stays valid when its own problem is unchanged
            "problem_digests": {pid: report.catalogue.problem_digests[pid]
                                for pid in report.problems},
            "references": {
                pid: None if row["status"] == "missing" else
                {"ref_random": row["ref_random"], "ref_best": row["ref_best"],
                 "saturated": row["status"] == "saturated"}
                for pid, row in report.refs.iterrows()
            },
        },
        # seeding compares these too: the cost curve and ref_random each problem's runs were
        # charged by and told (their run keys hold them: bench.records.run_terms)
        "run_terms": {pid: _terms(report.catalogue.reference(pid)) for pid in report.problems},
        "strategies": [
            {"name": s.name, "identity": s.version, "library": s.library,
             "library_version": s.library_version, "source_hash": s.source_hash,
             "multi_fidelity": s.multi_fidelity, "origin": _relative(s.origin)}
            for s in report.strategies
        ],
        "runs": {"expected": len(report.specs), **counts},
        "statistics": {
            "resampling_unit": "problem", "bootstrap": "percentile",
            "bootstrap_resamples": stats.N_RESAMPLES, "bootstrap_seed": stats.BOOTSTRAP_SEED,
            "confidence": stats.CONFIDENCE, "alpha": stats.ALPHA, "baseline": stats.BASELINE,
            "tie": f"per-problem difference of mean normalized score within +-max({stats.ROPE}, "
                   f"{stats.BAND_SE:g} x the seeds' standard error of that difference)",
            "primary_test": stats.PRIMARY_TEST,
            "secondary_tests": list(stats.SECONDARY_TESTS),
            "bayesian": f"signed-rank test with the region +-{stats.ROPE} (baycomp), "
                        f"{stats.BAYES_SAMPLES} samples, seed {stats.BAYES_SEED}",
            "pairwise_tests": "Wilcoxon signed-rank (normalized differences) and sign test, "
                              "two-sided, ties dropped, Holm over strategies",
            "omnibus": "Friedman on per-problem mean best CV score, complete problems",
            "post_hoc": "pairwise Wilcoxon signed-rank, Holm over all pairs",
            "power": (f"smallest effect detected with probability {power.POWER} at Holm's first "
                      "step (alpha / strategies compared): sign test exact, signed-rank test by "
                      f"{power.POWER_SIMULATIONS} simulations of normal differences, seed "
                      f"{power.POWER_SEED}"),
            "power_at_this_size": None if report.board.power is None else {
                "problems": report.board.power.problems,
                "comparisons": report.board.power.comparisons,
                "level": report.board.power.level,
                # None: no outcome at this many problems reaches the level
                "sign_test_share_of_problems_won": _finite(report.board.power.sign_share),
                "signed_rank_standardized_difference": _finite(report.board.power.wilcoxon_d),
                "signed_rank_normalized_difference":
                    _finite(report.board.power.wilcoxon_normalized),
            },
        },
        "packages": packages(),
        "machine": machine(),
        "source": git_state(),
        "inputs_digest": digest,
        "files": list(files),
    }
    return json.loads(json.dumps(manifest, default=_json_default))


def _finite(value: float | None) -> float | None:
    """A number for the manifest: NaN is not JSON."""
    return None if value is None or not np.isfinite(value) else float(value)


def _terms(reference) -> dict:
    """What a problem's runs were charged by and told: its cost curve and ref_random."""
    if reference is None:
        return {"ref_random": None, "cost_curve": None}
    curve = [list(p) for p in reference.cost_curve] if reference.cost_curve else None
    return {"ref_random": reference.ref_random, "cost_curve": curve}


def _relative(origin: str) -> str:
    """A strategy file inside the project as a path relative to it, so manifests of different
    clones compare equal."""
    try:
        return Path(origin).resolve().relative_to(project_root().resolve()).as_posix()
    except (ValueError, OSError):
        return origin


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot write {type(value).__name__} to the manifest")


def packages() -> dict:
    """The installed version of every package of the lock file (of searchbench's declared
    dependencies when there is none) and of the extras' locks that are installed (torch and what
    the torch-based strategies need: seeding compares them), and which differ from their lock."""
    lock = project_root() / LOCK_FILE
    pinned: dict[str, str | None] = {}
    if lock.is_file():
        pinned.update(_read_lock(lock))
    else:
        for requirement in metadata.requires("searchbench") or []:
            if "extra ==" in requirement:
                continue
            name = requirement.split(";")[0]
            for stop in "<>=!~[ ":
                name = name.split(stop)[0]
            pinned[name] = None
    for extra in EXTRA_LOCK_FILES:
        path = project_root() / extra
        if path.is_file():
            for name, version in _read_lock(path).items():
                if name not in pinned and distribution_version(name) is not None:
                    pinned[name] = version
    installed = {name: distribution_version(name) for name in sorted(pinned, key=str.lower)}
    return {
        "lock_file": LOCK_FILE if lock.is_file() else None,
        "installed": installed,
        # a local build tag is what the lock's pin installs here (torch 2.13.0+cpu for 2.13.0)
        "differ_from_lock": sorted(n for n, v in pinned.items() if v and installed[n] != v
                                   and (installed[n] or "").split("+")[0] != v),
    }


def _read_lock(path: Path) -> dict[str, str]:
    pinned = {}
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pinned[name.strip()] = version.strip()
    return pinned


def machine() -> dict:
    return {
        "cpu": _cpu_name(), "cores": os.cpu_count(), "os": platform.platform(),
        "python": platform.python_version(), "implementation": platform.python_implementation(),
    }


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def git_state() -> dict | None:
    """The commit of a source checkout, and whether it had uncommitted changes."""
    root = project_root()
    if not (root / ".git").exists():
        return None
    try:
        commit = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True,
                                text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--", "bench",
                                "strategies", "datasets"], capture_output=True, text=True,
                               timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return {"commit": commit, "uncommitted_changes": bool(dirty)}

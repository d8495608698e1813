"""The shape of ``bench/``: no import cycle of any kind (imports inside functions and type-only
imports under ``if TYPE_CHECKING:`` count too), each module opens with a docstring and stays
under :data:`MAX_LINES` lines, and the modules that plan, store, estimate, reference and report
import no execution code."""

import ast
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
#: Modules that run strategies and evaluations, or their backends.
EXECUTION = {"bench.owner", "bench.backends", "bench.worker", "bench.runner", "bench.evaluator"}
#: A module of one concern fits in this many lines.
MAX_LINES = 450


def _module_name(path: Path) -> str:
    return "bench" if path.name == "__init__.py" else f"bench.{path.stem}"


def _nodes(tree: ast.AST, runtime_only: bool):
    """Every node of ``tree``; with ``runtime_only``, not those under ``if TYPE_CHECKING:``."""
    for child in ast.iter_child_nodes(tree):
        if runtime_only and isinstance(child, ast.If) and ast.unparse(child.test) in (
                "TYPE_CHECKING", "typing.TYPE_CHECKING"):
            yield from (n for part in child.orelse for n in [part, *_nodes(part, runtime_only)])
            continue
        yield child
        yield from _nodes(child, runtime_only)


def imports(path: Path, folder: Path = BENCH, runtime_only: bool = False) -> set[str]:
    """Every module of ``folder`` (as ``bench.name``) that ``path`` imports anywhere in it (top
    level, inside functions, under ``if TYPE_CHECKING:``), including ``from bench import x``.
    A type-only import never runs, but it still ties the two modules' designs together, so it
    counts as a dependency; ``runtime_only`` leaves those out (what actually gets imported)."""
    names = {_module_name(p) for p in folder.glob("*.py")}
    found = set()
    for node in _nodes(ast.parse(path.read_text()), runtime_only):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
    return {n for n in found if n in names} - {_module_name(path)}


def graph(folder: Path = BENCH, runtime_only: bool = False) -> dict[str, set[str]]:
    return {_module_name(p): imports(p, folder, runtime_only) for p in sorted(folder.glob("*.py"))}


def cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``edges``, as the modules along it, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_the_cycle_finder_finds_a_cycle_through_an_import_inside_a_function(tmp_path):
    (tmp_path / "a.py").write_text('"""A."""\nfrom bench.b import x\n')
    (tmp_path / "b.py").write_text('"""B."""\n\ndef f():\n    from bench.c import y\n')
    (tmp_path / "c.py").write_text('"""C."""\nimport bench.a\n')
    assert cycle(graph(tmp_path)) == ["bench.a", "bench.b", "bench.c", "bench.a"]
    (tmp_path / "c.py").write_text('"""C."""\n')
    assert cycle(graph(tmp_path)) is None


def test_the_cycle_finder_counts_type_only_imports(tmp_path):
    (tmp_path / "d.py").write_text('"""D."""\nif TYPE_CHECKING:\n    import bench.e\n')
    (tmp_path / "e.py").write_text('"""E."""\nimport bench.d\n')
    assert cycle(graph(tmp_path)) == ["bench.d", "bench.e", "bench.d"]
    assert cycle(graph(tmp_path, runtime_only=True)) is None  # d never imports e when it runs


def test_no_module_of_bench_imports_one_that_imports_it_back():
    found = cycle(graph())  # type-only imports included
    assert found is None, f"import cycle: {' -> '.join(found)}"


@pytest.mark.parametrize("path", sorted(BENCH.glob("*.py")), ids=lambda p: p.name)
def test_each_module_of_bench_keeps_to_one_concern_in_at_most_450_lines(path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{path.name} has {lines} lines (at most {MAX_LINES})"


@pytest.mark.parametrize("path", sorted(BENCH.glob("*.py")), ids=lambda p: p.name)
def test_each_module_opens_with_a_docstring_naming_its_job(path):
    docstring = ast.get_docstring(ast.parse(path.read_text()))
    assert docstring and len(docstring.split()) >= 3, f"{path.name} has no docstring"


@pytest.mark.parametrize("module", ["bench.store", "bench.plan", "bench.estimate",
                                    "bench.references", "bench.report", "bench.report_inputs",
                                    "bench.report_curves", "bench.report_text", "bench.tables",
                                    "bench.figures", "bench.readme", "bench.provenance",
                                    "bench.page", "bench.records", "bench.costs",
                                    "bench.leaderboard", "bench.power", "bench.grid"])
def test_data_modules_import_no_execution_code(module):
    edges = graph()
    reached, todo = set(), [module]
    while todo:  # everything the module imports, directly or not
        for nxt in edges[todo.pop()] - reached:
            reached.add(nxt)
            todo.append(nxt)
    assert not reached & EXECUTION, f"{module} reaches {sorted(reached & EXECUTION)}"


#: The report's writers: each reads the report's data and nothing above it.
WRITERS = {"bench.tables", "bench.figures", "bench.readme", "bench.provenance", "bench.page"}
#: The report's data: read and computed once, below every writer.
REPORT_DATA = {"bench.report_inputs", "bench.report_curves", "bench.report_text"}


def test_the_report_is_one_pass_whose_writers_call_nothing_above_them():
    edges = graph()
    for writer in WRITERS:
        assert not edges[writer] & (WRITERS | {"bench.report"}), \
            f"{writer} imports {sorted(edges[writer] & (WRITERS | {'bench.report'}))}"
    for module in REPORT_DATA:
        assert not edges[module] & (WRITERS | {"bench.report"}), f"{module} imports a writer"

from dataclasses import replace

from bench.catalogue import Catalogue, load_catalogue
from bench.space import Integer, Space


def test_the_built_in_catalogue_loads_with_unique_ids():
    catalogue = load_catalogue("bench.datasets")
    assert len(catalogue.problems) >= 4
    assert "mlp_classic-digits" in catalogue.problems


def test_changing_a_search_space_changes_the_fingerprint(tiny):
    problems = list(tiny.problems.values())
    before = Catalogue.from_problems(problems, version="x").fingerprint
    assert before == Catalogue.from_problems(problems, version="x").fingerprint
    tree = problems[0]
    wider = replace(tree, space=Space([Integer("max_depth", 1, 9), *tree.space.dimensions[1:]]))
    after = Catalogue.from_problems([wider, *problems[1:]], version="x").fingerprint
    assert after != before


def test_changing_the_data_or_a_fixed_parameter_changes_the_fingerprint(tiny):
    problems = list(tiny.problems.values())
    base = Catalogue.from_problems(problems).fingerprint
    tree = problems[0]
    refit = replace(tree, fixed={"random_state": 1})
    assert Catalogue.from_problems([refit, *problems[1:]]).fingerprint != base
    other_data = replace(tree.dataset, name="blobs", load=lambda: (tree.dataset.arrays()[0] * 2,
                                                                  tree.dataset.arrays()[1]))
    moved = replace(tree, dataset=other_data)
    assert Catalogue.from_problems([moved, *problems[1:]]).fingerprint != base

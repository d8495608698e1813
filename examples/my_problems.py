"""Your own model as a plug-in problem file: a GradientBoostingClassifier on your own data.

Run the search strategies on it from the command line (the file's problems are added to the
built-in catalogue, which they leave unchanged)::

    searchbench run --problems-from examples/my_problems.py --strategies random,optuna_tpe \\
        --seeds 2 --budget 10
    searchbench report --problems-from examples/my_problems.py --strategies random,optuna_tpe \\
        --seeds 2 --budget 10

or from Python: ``python examples/my_problems.py``. A problem file defines ``PROBLEMS``, a list
of problems made with ``estimator_problem`` or ``function_problem``.
"""

from sklearn.datasets import make_classification
from sklearn.ensemble import GradientBoostingClassifier

from searchbench import Fidelity, Integer, Real, Space, compare, estimator_problem

# Your data: here generated, in practice loaded from your own files. Declare its version, and
# change it when the data changes, so that results of the old data are kept apart.
X, y = make_classification(n_samples=300, n_features=12, n_informative=5, random_state=0)

GBC = estimator_problem(
    "gbc-mydata",
    GradientBoostingClassifier(n_estimators=40, random_state=0),
    Space([
        Real("learning_rate", 0.01, 1.0, log=True),
        Integer("max_depth", 1, 5),
        Real("subsample", 0.5, 1.0),
        Integer("min_samples_leaf", 1, 30, log=True),
    ]),
    X, y,
    metric="roc_auc",            # any scikit-learn scorer name; default: the model's score
    cv=3,                        # 3-fold cross-validation after a 20% holdout test split
    fidelity=Fidelity("n_estimators", full=40, min_fraction=0.25),  # for multi-fidelity search
    data_version="generated-1",
    time_limit=60,               # seconds per evaluation before a trial is stopped
)

PROBLEMS = [GBC]

if __name__ == "__main__":
    result = compare(PROBLEMS, strategies=["random", "optuna_tpe"], seeds=2, budget=10)
    print(result.leaderboard[["strategy", "normalized_score", "mean_rank", "runs"]])
    print(f"report: {result.folder / 'README.md'}")

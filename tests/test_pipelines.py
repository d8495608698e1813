"""The pipeline family: a configuration builds the pipeline it names, and nothing else."""

from sklearn.decomposition import PCA
from sklearn.preprocessing import RobustScaler

from bench.catalogue import load_catalogue


def test_a_configuration_builds_the_scaler_pca_and_model_it_names():
    catalogue = load_catalogue()
    problem = catalogue.problems["pipe-wine"]
    space = problem.space
    config = {"scaler": "robust", "pca": "pca", "pca_variance": 0.8, "model": "knn",
              "knn_n_neighbors": 7, "knn_weights": "distance"}
    assert {d.name for d in space.active(config)} == set(config)  # the others are inactive
    pipeline = problem.make_estimator(config)
    steps = dict(pipeline.steps)
    assert isinstance(steps["scale"], RobustScaler)
    assert isinstance(steps["pca"], PCA) and steps["pca"].n_components == 0.8
    assert steps["model"].get_params()["n_neighbors"] == 7
    no_pca = problem.make_estimator({"scaler": "none", "pca": "none", "model": "svc",
                                     "svm_C": 2.0, "svm_gamma": 0.1})
    assert [name for name, _ in no_pca.steps] == ["scale", "model"]
    assert no_pca.steps[0][1] == "passthrough" and no_pca.steps[1][1].C == 2.0


def test_regression_pipelines_learn_a_standardized_target_and_score_on_the_original():
    catalogue = load_catalogue()
    problem = catalogue.problems["pipe-diabetes"]
    model = problem.make_estimator({"scaler": "standard", "pca": "none", "model": "ridge",
                                    "linear_strength": 10.0})
    assert model.regressor.steps[-1][1].alpha == 10.0
    X, y = problem.dataset.load()
    model.fit(X, y)
    assert abs(model.predict(X).mean() - y.mean()) < 0.05 * y.std()

"""The datasets: bundled with scikit-learn or statsmodels, or generated with fixed seeds. Nothing is
downloaded.

Each loader returns ``(X, y)`` as float64 arrays (``y`` is None for density estimation). A
generated dataset's name carries its variant (``friedman1_n500``: 500 samples); its description
gives the exact generator call, so a reader can rebuild it. Sizes are chosen so that one 5-fold
cross-validation of a typical model takes about a second or less.

The real tables of ``statsmodels.datasets`` are used as shipped, with the target and feature
columns their descriptions name; a table too large for a second-long cross-validation is
subsampled with a fixed seed (``fair_n1200``, ``randhie_n1500``). Their rows are treated as
exchangeable, as every dataset here is (``sunspots_lag9``'s rows are overlapping windows of a
yearly series: a benchmark of search strategies, not a forecast). scikit-learn's two sample
photographs give natural-image patches for the density models.

Density datasets hold features only. Continuous ones are standardized (zero mean, unit variance
per column, over the whole dataset) so that a kernel bandwidth or a covariance floor means about
the same on each; the held-out log-likelihood is then that of the standardized data. Two keep
their own scale: ``digits_pca16`` (principal components, whose unequal variances are the point)
and ``digits_binary`` (0/1 pixels, for the Bernoulli RBM).
"""

from __future__ import annotations

import numpy as np
from sklearn import datasets as skd
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler

from bench.problem import Dataset


#: Generated and transformed data are rounded to this many decimals, so that last-bit differences
#: between CPUs' math and linear-algebra kernels (PCA, QR, vectorized sin) change neither the
#: data nor the catalogue fingerprint.
DECIMALS = 8


def _fixed(a) -> np.ndarray:
    return np.round(np.asarray(a, dtype=np.float64), DECIMALS)


def _bundled(loader):
    def load():
        X, y = loader(return_X_y=True)
        return np.asarray(X, dtype=np.float64), np.asarray(y)
    load.__name__ = f"load_{loader.__name__.removeprefix('load_')}"
    return load


def _generated(generator, **kwargs):
    def load():
        X, y = generator(**kwargs)
        return _fixed(X), (np.asarray(y) if y.dtype.kind in "iub" else _fixed(y))
    load.__name__ = f"generate_{generator.__name__.removeprefix('make_')}"
    return load


def _call(generator, **kwargs) -> str:
    args = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
    return f"{generator.__name__}({args})"


def _classification(name: str, generator, summary: str, **kwargs) -> Dataset:
    return Dataset(name, "classification", _generated(generator, **kwargs),
                   f"{summary}; {_call(generator, **kwargs)}")


def _regression(name: str, generator, summary: str, **kwargs) -> Dataset:
    return Dataset(name, "regression", _generated(generator, **kwargs),
                   f"{summary}; {_call(generator, **kwargs)}")


def _linnerud():
    X, Y = skd.load_linnerud(return_X_y=True)
    return np.asarray(X, dtype=np.float64), np.asarray(Y, dtype=np.float64)


# -- features only, for density estimation ------------------------------------------------------
def _standardized(X) -> np.ndarray:
    return _fixed(StandardScaler().fit_transform(np.asarray(X, dtype=np.float64)))


def _features(loader):
    def load():
        X, _ = loader(return_X_y=True)
        return _standardized(X), None
    load.__name__ = f"features_{loader.__name__.removeprefix('load_')}"
    return load


def _digits_pca16():
    X, _ = skd.load_digits(return_X_y=True)
    return _fixed(PCA(n_components=16, random_state=0).fit_transform(X / 16.0)), None


def _digits_binary():
    X, _ = skd.load_digits(return_X_y=True)
    return (X > 7).astype(np.float64), None


def _blobs_n500_d5():
    X, _ = skd.make_blobs(n_samples=500, n_features=5, centers=4, cluster_std=1.5, random_state=0)
    return _standardized(X), None


def _moons_n500_features():
    X, _ = skd.make_moons(n_samples=500, noise=0.3, random_state=0)
    return _standardized(X), None


# -- real tables shipped with statsmodels ---------------------------------------------------------
def _statsmodels(name: str):
    from statsmodels import datasets as smd

    return getattr(smd, name).load_pandas().data


def _subsample(X, y, n: int):
    rows = np.sort(np.random.default_rng(0).choice(len(X), size=n, replace=False))
    return X[rows], y[rows]


def _anes96():
    df = _statsmodels("anes96")
    y = df["vote"].to_numpy().astype(int)  # 1: Dole, 0: Clinton
    return _fixed(df.drop(columns=["vote", "popul"]).to_numpy()), y


def _modechoice():
    # one row per traveller (their four rows share the traveller's income and party size, and
    # exactly one is chosen: split apart, a fold would learn the others' answers)
    df = _statsmodels("modechoice").sort_values(["individual", "mode"])
    per_mode = df[["ttme", "invc", "invt", "gc"]].to_numpy().reshape(-1, 4 * 4)
    first = df.groupby("individual", sort=True).first()
    X = np.column_stack([per_mode, first[["hinc", "psize"]].to_numpy()])
    chosen = df[df["choice"] == 1].sort_values("individual")["mode"].to_numpy().astype(int) - 1
    return _fixed(X), chosen


def _fair_n1200():
    df = _statsmodels("fair")
    X, y = df.drop(columns=["affairs"]).to_numpy(), (df["affairs"].to_numpy() > 0).astype(int)
    X, y = _subsample(X, y, 1200)
    return _fixed(X), y


def _star98():
    df = _statsmodels("star98")
    y = df["NABOVE"] / (df["NABOVE"] + df["NBELOW"])
    return _fixed(df.drop(columns=["NABOVE", "NBELOW"]).to_numpy()), _fixed(y.to_numpy())


def _grunfeld():
    df = _statsmodels("grunfeld")
    firms = sorted(df["firm"].unique())
    onehot = (df["firm"].to_numpy()[:, None] == np.array(firms)[None, :]).astype(float)
    X = np.column_stack([np.log(df[["value", "capital"]].to_numpy()), df["year"].to_numpy(),
                         onehot])
    return _fixed(X), _fixed(np.log1p(df["invest"].to_numpy()))


def _sunspots_lag9():
    series = _statsmodels("sunspots")["SUNACTIVITY"].to_numpy()
    lags = 9
    X = np.column_stack([series[i:len(series) - lags + i] for i in range(lags)])
    return _fixed(X), _fixed(series[lags:])


def _randhie_n1500():
    df = _statsmodels("randhie")
    X, y = df.drop(columns=["mdvis"]).to_numpy(), np.log1p(df["mdvis"].to_numpy())
    X, y = _subsample(X, y, 1500)
    return _fixed(X), _fixed(y)


# -- natural-image patches -----------------------------------------------------------------------
def _patches(image: str):
    def load():
        from sklearn.feature_extraction.image import extract_patches_2d

        gray = skd.load_sample_image(image).astype(np.float64).mean(axis=2) / 255.0
        patches = extract_patches_2d(gray, (4, 4), max_patches=1000, random_state=0)
        return _standardized(patches.reshape(len(patches), -1)), None
    load.__name__ = f"patches_{image.split('.')[0]}"
    return load


REAL_CLASSIFICATION = [
    Dataset("anes96", "classification", _anes96,
            "1996 US election survey, 944 voters, Dole (1) or Clinton (0) from party "
            "identification, placements, age, education, income, TV news, log population; "
            "statsmodels.datasets.anes96"),
    Dataset("modechoice", "classification", _modechoice,
            "travel mode choice of 210 travellers: air, train, bus or car (4 classes, 30 to 63 "
            "each), from each mode's terminal time, in-vehicle cost and time and generalized "
            "cost, household income and party size; statsmodels.datasets.modechoice"),
    Dataset("fair_n1200", "classification", _fair_n1200,
            "1974 survey of 6,366 married women: any affair (32%) from marriage rating, age, "
            "years married, children, religiousness, education, occupations; 1,200 rows drawn "
            "with numpy.random.default_rng(0); statsmodels.datasets.fair"),
]

REAL_REGRESSION = [
    Dataset("star98", "regression", _star98,
            "303 California school districts: share of students above the national math "
            "median from 20 demographic and school variables; statsmodels.datasets.star98"),
    Dataset("grunfeld", "regression", _grunfeld,
            "investment of 11 US firms 1935-1954: log1p(invest) from log value, log capital, "
            "year and firm (one-hot); statsmodels.datasets.grunfeld"),
    Dataset("sunspots_lag9", "regression", _sunspots_lag9,
            "yearly sunspot activity 1700-2008 from the 9 years before it; "
            "statsmodels.datasets.sunspots"),
    Dataset("randhie_n1500", "regression", _randhie_n1500,
            "RAND health insurance experiment: log1p(outpatient visits) from coinsurance, "
            "deductible, income, health measures; 1,500 of 20,190 rows drawn with "
            "numpy.random.default_rng(0); statsmodels.datasets.randhie"),
]

REAL_DENSITY = [
    Dataset("china_patches", "density", _patches("china.jpg"),
            "1,000 grey 4 x 4 patches of a photograph, standardized; load_sample_image("
            "'china.jpg'), extract_patches_2d((4, 4), max_patches=1000, random_state=0)"),
    Dataset("flower_patches", "density", _patches("flower.jpg"),
            "1,000 grey 4 x 4 patches of a photograph, standardized; load_sample_image("
            "'flower.jpg'), extract_patches_2d((4, 4), max_patches=1000, random_state=0)"),
]


CLASSIFICATION = [
    Dataset("iris", "classification", _bundled(skd.load_iris), "3 classes; load_iris()"),
    Dataset("wine", "classification", _bundled(skd.load_wine), "3 classes; load_wine()"),
    Dataset("breast_cancer", "classification", _bundled(skd.load_breast_cancer),
            "2 classes; load_breast_cancer()"),
    Dataset("digits", "classification", _bundled(skd.load_digits),
            "8 x 8 images, 10 classes; load_digits()"),
    _classification("moons_n500", skd.make_moons, "2 interleaved half circles",
                    n_samples=500, noise=0.3, random_state=0),
    _classification("classification_n500_f20", skd.make_classification,
                    "6 informative and 4 redundant features, 3 classes, 5% flipped labels",
                    n_samples=500, n_features=20, n_informative=6, n_redundant=4, n_classes=3,
                    flip_y=0.05, random_state=0),
    _classification("classification_n1000_w90", skd.make_classification,
                    "4 informative features, 2 classes in proportion 90:10",
                    n_samples=1000, n_features=10, n_informative=4, n_redundant=2,
                    weights=[0.9], flip_y=0.02, random_state=0),
]

REGRESSION = [
    Dataset("diabetes", "regression", _bundled(skd.load_diabetes), "load_diabetes()"),
    Dataset("linnerud", "regression", _linnerud,
            "3 targets (multi-output); load_linnerud()"),
    _regression("friedman1_n500", skd.make_friedman1, "5 informative features",
                n_samples=500, n_features=10, noise=1.0, random_state=0),
    _regression("friedman2_n500", skd.make_friedman2, "4 features",
                n_samples=500, noise=10.0, random_state=0),
    _regression("friedman3_n500", skd.make_friedman3, "4 features",
                n_samples=500, noise=0.1, random_state=0),
    _regression("regression_n400_f20", skd.make_regression,
                "8 informative features, effective rank 10 (collinear), noise 1.5 (best R^2 about 0.85)",
                n_samples=400, n_features=20, n_informative=8, effective_rank=10, noise=1.5,
                random_state=0),
]

DENSITY = [
    Dataset("iris", "density", _features(skd.load_iris), "iris features, standardized; load_iris()"),
    Dataset("wine", "density", _features(skd.load_wine), "wine features, standardized; load_wine()"),
    Dataset("digits_pca16", "density", _digits_pca16,
            "digits pixels / 16 projected on 16 principal components; load_digits(), PCA(n_components=16, random_state=0)"),
    Dataset("digits_binary", "density", _digits_binary,
            "digits pixels above 7 (of 16) set to 1, the others to 0; load_digits()"),
    Dataset("blobs_n500_d5", "density", _blobs_n500_d5,
            "4 Gaussian blobs, standardized; make_blobs(n_samples=500, n_features=5, "
            "centers=4, cluster_std=1.5, random_state=0)"),
    Dataset("moons_n500", "density", _moons_n500_features,
            "the features of moons_n500, standardized; make_moons(n_samples=500, "
            "noise=0.3, random_state=0)"),
]


def _by_name(datasets: list[Dataset]) -> dict[str, Dataset]:
    return {d.name: d for d in datasets}


#: Datasets by task, then by name (a name may serve two tasks: ``iris`` for classification and,
#: features only, for density estimation).
DATASETS = {
    "classification": _by_name(CLASSIFICATION + REAL_CLASSIFICATION),
    "regression": _by_name(REGRESSION + REAL_REGRESSION),
    "density": _by_name(DENSITY + REAL_DENSITY),
}

"""scikit-learn's bundled data sets, loaded and split:
[`load_sklearn`][barenet.datasets.sklearn_sets.load_sklearn].

scikit-learn is imported only when a set is loaded, so barenet needs it for
nothing else here.
"""

import numpy as np

from ._common import _split, _split_arguments


SKLEARN = ("digits", "breast_cancer", "iris", "wine")
"""scikit-learn's bundled data sets that
[`load_sklearn`][barenet.datasets.sklearn_sets.load_sklearn] knows."""


def load_sklearn(name, test_size=0.25, seed=0):
    """Load one of scikit-learn's bundled data sets and split it.

    Parameters
    ----------
    name : {'digits', 'breast_cancer', 'iris', 'wine'}
        Loaded with ``sklearn.datasets.load_<name>()`` (no download).
    test_size : float, default 0.25
        Fraction of the samples in the test part, in (0, 1).
    seed : int, numpy.random.Generator or None, default 0
        Seeds the split.

    Returns
    -------
    Dataset
        X float64 of shape ``(n, n_features)``, y int64, name ``name``,
        ``feature_names`` scikit-learn's names of the columns (e.g.
        ``'sepal length (cm)'``).

    Raises
    ------
    ImportError
        If scikit-learn is not installed.
    """
    if not isinstance(name, str) or name not in SKLEARN:
        raise ValueError(f"name must be one of {list(SKLEARN)}, got {name!r}")
    test_size, rng = _split_arguments(test_size, seed)
    try:
        from sklearn import datasets as sklearn_datasets
    except ImportError as err:
        raise ImportError(
            f"the {name!r} data set comes from scikit-learn, which is not installed; "
            "install it with `pip install scikit-learn`"
        ) from err
    bunch = getattr(sklearn_datasets, f"load_{name}")()
    X = np.asarray(bunch.data, dtype=np.float64)
    y = np.asarray(bunch.target, dtype=np.int64)
    names = getattr(bunch, "feature_names", None)
    names = tuple(str(n) for n in names) if names is not None else None
    return _split(X, y, test_size, rng, name, feature_names=names)

"""Where the estimators compute and keep their arrays: scikit-learn's Array
API conventions.

With ``sklearn.set_config(array_api_dispatch=True)`` (or inside
``sklearn.config_context(array_api_dispatch=True)``), an estimator given an
array of another library -- a torch tensor on the CPU or a GPU, a CuPy array,
an ``array_api_strict`` array -- computes in that library, on that device:
``validate_data`` keeps the array where it is, ``fit`` moves the
[`Network`][barenet.Network] there (`barenet.Network.to`), and the fitted
arrays (the network's, numeric ``classes_``) and every method's results live
there too. Labels and sample weights are encoded with NumPy, from one copy on
the host, as the Network does.

Without dispatch (scikit-learn's default), ``validate_data`` converts every
input to NumPy, and so does everything here: the estimators compute with
NumPy alone.

A fitted estimator takes data of the library and device it was fitted on,
and only those: anything else is a ValueError in scikit-learn's words, as
from its own estimators (``check_same_namespace``).
"""

import numpy as np
import scipy.sparse
from sklearn import get_config
from sklearn.base import is_classifier

from ..core.namespace import NUMPY, like, namespace
from ..model.placement import describe, place_of, to_host


def dispatching():
    """Whether scikit-learn's ``array_api_dispatch`` is on."""
    return bool(get_config().get("array_api_dispatch", False))


def place(X):
    """``(namespace, device)`` an estimator computes in for the input ``X``:
    ``X``'s library and device when dispatching, NumPy's otherwise (and for
    anything that is not an array of another library: lists, data frames)."""
    return place_of(X) if dispatching() else (NUMPY, "cpu")


def input_dtype(X, dtype):
    """``dtype`` (a NumPy float dtype, or a tuple of them: the first unless
    the input has one of the others) as ``validate_data`` takes it for the
    input ``X``: the same dtype(s) of the namespace ``X`` is computed in."""
    xp, _ = place(X)
    if xp is NUMPY:
        return dtype
    if isinstance(dtype, tuple):
        return tuple(getattr(xp, np.dtype(d).name) for d in dtype)
    return getattr(xp, np.dtype(dtype).name)


def numpy_dtype(A):
    """The NumPy dtype of the name of ``A``'s dtype (``A`` an array of any
    library, or a sparse matrix): ``float32`` for a float32 tensor."""
    if isinstance(A.dtype, np.dtype):
        return A.dtype
    xp = namespace(A)
    for name in ("float64", "float32", "float16", "int64", "int32", "bool"):
        if A.dtype == getattr(xp, name, None):
            return np.dtype(name)
    raise TypeError(f"no NumPy dtype for {A.dtype!r}")


def check_same_place(estimator, X, method):
    """Raise scikit-learn's ValueError when ``X`` is not computed in the
    library and on the device of the fitted network (``estimator.network_``)."""
    parameters = estimator.network_.parameters
    if place(X) == place_of(parameters):
        return
    if scipy.sparse.issparse(X):
        given = "a SciPy sparse matrix (only NumPy's namespace takes sparse inputs)"
    elif dispatching():
        given = describe(X)
    else:
        given = "converted to NumPy (array_api_dispatch is off)"
    raise ValueError(
        f"Inputs passed to {type(estimator).__name__}.{method}() must use the same "
        f"namespace and the same device as those passed to fit(): X is {given}, but the "
        f"estimator was fitted on {describe(parameters)}. Call it with "
        "array_api_dispatch=True on data of that library and device, or fit it again "
        "(scikit-learn's move_estimator_to moves a fitted estimator)."
    )


def placed(values, X):
    """The NumPy array ``values`` (a fitted attribute) where ``X`` is: a copy
    on ``X``'s library and device, if ``values`` are numbers and ``X`` is not
    NumPy's; as it is otherwise (labels such as strings stay NumPy's)."""
    if type(X) is np.ndarray or values.dtype.kind not in "biuf":
        return values
    return like(values, X)


def as_float64(A):
    """``A``, an array of any library, as float64 (a copy for NumPy's)."""
    if type(A) is np.ndarray:
        return A.astype(np.float64)
    xp = namespace(A)
    return xp.astype(A, xp.float64)


def alongside(values, A):
    """``values`` (numbers: an array of any library, a list) as an array of
    the library and device of the array ``A``: as they are if they are
    there already, else a float64 copy there (through the host)."""
    if place_of(values) == place_of(A):
        return values
    return like(np.asarray(to_host(values), dtype=np.float64), A)


def accuracy(y, predicted, sample_weight=None):
    """scikit-learn's accuracy of the labels ``predicted`` against ``y`` (each
    weighted by ``sample_weight``; all of any library), as a Python float:
    computed on the host, where labels of every library meet, in float64
    (some libraries would average in float32)."""
    from sklearn.metrics import accuracy_score

    weights = None if sample_weight is None else to_host(sample_weight)
    return float(accuracy_score(to_host(y), to_host(predicted), sample_weight=weights))


def r2(y, predicted, sample_weight=None):
    """scikit-learn's R^2 of ``predicted`` against ``y`` (weighted by
    ``sample_weight``), as a Python float, computed where ``predicted`` are:
    ``y`` and the weights are moved there first when they are elsewhere
    (NumPy data, lists)."""
    from sklearn.metrics import r2_score

    y, sample_weight = (None if a is None else alongside(a, predicted)
                        for a in (y, sample_weight))
    return float(r2_score(y, predicted, sample_weight=sample_weight))


class DispatchedScoreMixin:
    """``score`` for an estimator that computes on any array library. It goes
    before scikit-learn's ``ClassifierMixin`` or ``RegressorMixin`` among the
    bases, whose ``score`` it keeps without dispatch."""

    def score(self, X, y, sample_weight=None):
        """scikit-learn's score of ``predict(X)`` against ``y`` (each sample
        weighted by ``sample_weight``), as a Python float: the mean accuracy
        for a classifier, the coefficient of determination $R^2$ for a
        regressor.

        With ``array_api_dispatch`` on, the accuracy is computed on the host in
        float64 (some libraries would average the labels in float32); $R^2$
        where the predictions are, ``y`` and the weights moved there first
        when they are elsewhere (NumPy data, lists).
        """
        if not dispatching():
            return super().score(X, y, sample_weight)
        metric = accuracy if is_classifier(self) else r2
        return metric(y, self.predict(X), sample_weight)

"""Inputs, targets and weights as the passes take them.

A network's outputs fix what its targets are: a sigmoid unit (task
``'binary'``) takes two class labels, encoded as 0 and 1 in one column; a
softmax layer (``'multiclass'``) one label per sample, one-hot encoded;
``k > 1`` sigmoid units (``'multilabel'``) a 0/1 indicator matrix of ``k``
columns, one yes/no label each, taken as it is (the classes are the columns,
``0..k-1``); any other output (``'regression'``) numbers, one column per
output unit, which the loss may restrict (the Poisson loss takes no negative
target). Class labels are kept sorted (``classes``), and a label's column is
its index in them. Sample weights and class weights multiply into one weight
per sample.
The estimators of [`barenet.sklearn`][barenet.sklearn] share `class_weights`.

Inputs may be arrays of any library (see [`barenet.model.placement`][barenet.model.placement]);
targets and weights are encoded with NumPy, from a copy on the host.
"""

import numbers

import numpy as np

from .._checks import check_matrix, check_real
from . import sparse
from .placement import check_same, to_host
from .sparse import is_sparse


def check_inputs(X, dtype, n_features, scaler=None, name="X", parameters=None):
    """``X`` checked, cast to ``dtype``, and standardized by ``scaler``
    (a fitted [`Standardizer`][barenet.preprocessing.Standardizer]) if given;
    an array of the library, on the device, of ``parameters`` when given
    (a TypeError otherwise). A SciPy sparse ``X`` stays sparse, as a CSR
    matrix ([`barenet.model.sparse.check_inputs`][barenet.model.sparse.check_inputs])."""
    if is_sparse(X):
        return sparse.check_inputs(X, dtype, n_features, scaler, name, parameters)
    X = check_matrix(name, X, dtype=dtype, any_library=True)
    if parameters is not None:
        check_same(parameters, X, name)
    if X.shape[1] != n_features:
        raise ValueError(
            f"{name} has {X.shape[1]} features but the network's input layer has {n_features}"
        )
    if scaler is not None:
        X = scaler.apply(X)
    return X


def _labels(y, n_samples, name):
    """``y`` as an array of ``n_samples`` entries, a column squeezed."""
    try:
        y = np.asarray(y)
    except ValueError:
        raise ValueError(f"{name} is ragged: its entries have different lengths") from None
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.shape[0:1] != (n_samples,):
        raise ValueError(f"{name} has {y.shape[0] if y.ndim else 0} samples but X has {n_samples}")
    if y.dtype == object:  # a pandas Series of strings, a list of mixed types
        y = _unboxed(y, name)
    return y


def _unboxed(y, name):
    """The object array ``y`` as an array of strings when it holds only
    strings, of numbers when it holds only (real, non-bool) numbers; a
    TypeError otherwise."""
    values = y.ravel().tolist()
    if all(isinstance(v, str) for v in values):
        return np.asarray(values, dtype=str).reshape(y.shape)
    if all(isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_)) for v in values):
        unboxed = np.asarray(values)
        if unboxed.dtype.kind in "iuf":  # not Python ints too large for int64
            return unboxed.reshape(y.shape)
    if any(v is None for v in values):
        raise ValueError(f"{name} has missing values (None)")
    kinds = sorted({type(v).__name__ for v in values})
    raise TypeError(f"{name} must hold numbers (that fit 64 bits) or strings, got values of "
                    f"type {', '.join(kinds)}")


def encode(y, n_samples, task, dtype, n_outputs, classes=None, output="sigmoid", name="y",
           loss=None):
    """Return ``(Y, classes)``: the targets ``y`` as an ``(n_samples,
    n_outputs)`` array in ``dtype``, and for classifiers the sorted class
    labels they were encoded against -- ``classes`` if given, else those
    found in ``y`` (a multilabel network's: ``0..n_outputs-1``). ``output``
    names the output activation, for messages; ``loss``, when given, checks
    a regressor's targets (``check_targets``)."""
    y = _labels(to_host(y), n_samples, name)
    if task == "regression":
        Y = _regression(y, dtype, n_outputs, name)
        if loss is not None:
            loss.check_targets(Y, name)
        return Y, None
    if task == "multilabel":
        return _indicators(y, dtype, n_outputs, name), (
            np.arange(n_outputs) if classes is None else classes)
    if y.ndim != 1:
        raise ValueError(f"{name} must be 1-D class labels, got shape {y.shape}")
    if y.dtype.kind == "f":
        if not np.isfinite(y).all():
            raise ValueError(f"{name} contains NaN or infinity")
        if not np.array_equal(y, np.round(y)):
            raise ValueError(
                f"{name} holds continuous values, but this network is a classifier (its "
                f"output is {output}); use class labels, or a linear output for regression"
            )
    if classes is None:
        classes = classes_of(y, task, n_outputs, name)
    found = np.isin(y, classes)
    if not found.all():
        raise ValueError(
            f"{name} has labels the network was not trained on: "
            f"{np.unique(y[~found])[:5].tolist()}; known classes: {classes.tolist()}"
        )
    index = np.searchsorted(classes, y)
    if task == "binary":
        return index.astype(dtype).reshape(-1, 1), classes
    Y = np.zeros((n_samples, n_outputs), dtype=dtype)
    Y[np.arange(n_samples), index] = 1
    return Y, classes


def classes_of(y, task, n_outputs, name="y"):
    """The sorted class labels of ``y`` for a classifier with ``n_outputs``
    units: a softmax layer's labels 0..n-1 when ``y`` holds integers among
    them but not all of them."""
    classes = np.unique(y)
    if len(classes) < 2:
        raise ValueError(
            f"{name} has a single class ({classes.tolist()}); a classifier needs two or more")
    if task == "binary" and len(classes) > 2:
        raise ValueError(
            f"{name} has {len(classes)} classes but the output is one sigmoid unit "
            "(2 classes); use a softmax output with one unit per class"
        )
    if task == "multiclass" and len(classes) != n_outputs:
        integer = classes.dtype.kind in "iu" or (
            classes.dtype.kind == "f" and np.array_equal(classes, np.round(classes))
        )
        if len(classes) < n_outputs and integer and classes.min() >= 0 \
                and classes.max() < n_outputs:
            return np.arange(n_outputs, dtype=classes.dtype)
        raise ValueError(
            f"{name} has {len(classes)} classes but the softmax output has {n_outputs} units"
        )
    return classes


def _regression(y, dtype, n_outputs, name):
    if y.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold numbers for a regression network, got dtype {y.dtype}")
    y = y.astype(dtype).reshape(len(y), -1)
    if y.shape[1] != n_outputs:
        raise ValueError(
            f"{name} has {y.shape[1]} target columns but the network has {n_outputs} outputs"
        )
    if not np.isfinite(y).all():
        raise ValueError(f"{name} contains NaN or infinity")
    return y


def _indicators(y, dtype, n_outputs, name):
    """A multilabel network's targets: ``y``, a numeric 0/1 indicator matrix
    of ``n_outputs`` columns, in ``dtype``."""
    if y.ndim != 2 or y.shape[1] != n_outputs:
        raise ValueError(
            f"{name} must be a 0/1 indicator matrix of shape (n_samples, {n_outputs}) for this "
            f"multilabel network ({n_outputs} sigmoid outputs, one per label), got shape "
            f"{y.shape}; for one class per sample use a softmax output"
        )
    if y.dtype.kind not in "biuf" or not ((y == 0) | (y == 1)).all():
        raise ValueError(
            f"{name} must hold only 0 and 1 for a multilabel network (column j: does the "
            f"sample have label j), got dtype {y.dtype} with values such as "
            f"{np.unique(y[(y != 0) & (y != 1)] if y.dtype.kind in 'biuf' else y)[:5].tolist()}"
        )
    return y.astype(dtype)


def class_weights(class_weight, index, classes):
    """Each sample's class weight (float64), from ``class_weight`` -- a dict
    ``{label: weight}`` (1 for a class not named) or ``'balanced'``, which
    weighs class ``c`` by ``n_samples / (n_classes * count(c))``, counting
    the classes present -- and ``index``, each sample's index in ``classes``."""
    if isinstance(class_weight, str) and class_weight == "balanced":
        counts = np.bincount(index, minlength=len(classes))
        per_class = len(index) / (np.count_nonzero(counts) * np.maximum(counts, 1))
    elif isinstance(class_weight, dict):
        position = {label: i for i, label in enumerate(classes.tolist())}
        unknown = [label for label in class_weight if label not in position]
        if unknown:
            raise ValueError(
                f"class_weight names labels that are not a class: {unknown}; "
                f"the classes are {classes.tolist()}"
            )
        per_class = np.ones(len(classes))
        for label, weight in class_weight.items():
            weight = check_real(f"class_weight[{label!r}]", weight)
            if weight < 0:
                raise ValueError(f"class_weight[{label!r}] must be >= 0, got {weight}")
            per_class[position[label]] = weight
    else:
        raise TypeError(
            f"class_weight must be a dict, 'balanced' or None, got {class_weight!r}")
    return per_class[index]


def sample_weights(sample_weight, class_weight, y, n_samples, classes, task, dtype):
    """Per-sample weights in ``dtype`` -- ``sample_weight`` times the class
    weights of the labels ``y`` -- or None when neither is given."""
    weights = None
    if sample_weight is not None:
        weights = np.asarray(to_host(sample_weight))
        if weights.shape != (n_samples,):
            raise ValueError(f"sample_weight must have shape ({n_samples},), got {weights.shape}")
        if weights.dtype.kind not in "biuf":
            raise TypeError(f"sample_weight must hold numbers, got dtype {weights.dtype}")
        if not np.isfinite(weights).all() or (weights < 0).any():
            raise ValueError("sample_weight must be finite and >= 0")
        weights = weights.astype(dtype)
    if class_weight is not None:
        if task == "multilabel":
            raise ValueError(
                "class_weight needs one class per sample, but this network is multilabel "
                "(y is an indicator matrix); weigh the samples with sample_weight instead")
        if task == "regression":
            raise ValueError("class_weight needs a classifier; this network is a regressor")
        index = np.searchsorted(classes, np.asarray(to_host(y)).reshape(n_samples))
        by_class = class_weights(class_weight, index, classes).astype(dtype)
        weights = by_class if weights is None else weights * by_class
    return weights

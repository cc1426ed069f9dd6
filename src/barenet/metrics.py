"""Scores of predictions against true values: what ``barenet evaluate`` prints.

Plain NumPy functions of ``(y_true, y_pred)``. For classifiers:
[`accuracy`][barenet.metrics.accuracy], [`confusion_matrix`][barenet.metrics.confusion_matrix] and
[`per_class_scores`][barenet.metrics.per_class_scores] (precision, recall, F1 and support per
class); for regressors: [`r2_score`][barenet.metrics.r2_score], [`rmse`][barenet.metrics.rmse] and
[`mae`][barenet.metrics.mae]. Each agrees with the scikit-learn function of the same name
(``zero_division=0`` for the per-class scores; the average over outputs for multi-output
regression).

Labels may be numbers or strings; a class is a value of ``y_true`` or
``y_pred``, compared with ``==``.
"""

from typing import NamedTuple

import numpy as np

from ._checks import check_array

__all__ = ["accuracy", "confusion_matrix", "per_class_scores", "PerClassScores",
           "r2_score", "rmse", "mae"]


def _labels_1d(name, y):
    """``y`` as a non-empty 1-D array of labels (numbers or strings)."""
    try:
        y = np.asarray(y)
    except ValueError:
        raise ValueError(f"{name} is ragged: its items have different lengths") from None
    if y.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one label per sample), got shape {y.shape}")
    if y.size == 0:
        raise ValueError(f"{name} is empty")
    if y.dtype.kind in "fc" and not np.isfinite(y).all():  # NaN is no label: NaN != NaN
        raise ValueError(f"{name} contains NaN or infinity")
    return y


def _check_pair(y_true, y_pred):
    y_true = _labels_1d("y_true", y_true)
    y_pred = _labels_1d("y_pred", y_pred)
    if len(y_true) != len(y_pred):
        raise ValueError(f"y_true and y_pred must have the same length, got {len(y_true)} "
                         f"and {len(y_pred)}")
    return y_true, y_pred


def _check_labels(labels, y_true, y_pred):
    """``labels`` as a 1-D array of distinct labels; ``None`` gives the sorted
    labels seen in ``y_true`` or ``y_pred``."""
    if labels is None:
        seen = {v: None for v in y_true.tolist() + y_pred.tolist()}
        try:
            return np.array(sorted(seen))
        except TypeError:  # numbers and strings mixed: keep the order of appearance
            return np.array(list(seen), dtype=object)
    labels = _labels_1d("labels", labels)
    listed = labels.tolist()
    if len(set(listed)) != len(listed):
        repeated = sorted({str(v) for v in listed if listed.count(v) > 1})
        raise ValueError(f"labels must be distinct, {', '.join(repeated)} appear more than once")
    return labels


def _indices(name, y, labels):
    """The position in ``labels`` of each item of ``y``, shape ``(n_samples,)``."""
    position = {label: i for i, label in enumerate(labels.tolist())}
    try:
        return np.fromiter((position[v] for v in y.tolist()), dtype=np.intp, count=len(y))
    except KeyError:
        unknown = sorted({str(v) for v in y.tolist() if v not in position})
        raise ValueError(f"{name} holds labels that are not in labels: {', '.join(unknown)}; "
                         f"labels are {', '.join(map(str, labels.tolist()))}") from None


def accuracy(y_true, y_pred):
    r"""The share of samples whose predicted label equals the true one.

    $$
    \mathrm{accuracy} = \frac{1}{n}\sum_{i=1}^{n} [\hat y_i = y_i]
    $$

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted labels (numbers or strings).

    Returns
    -------
    float
        In ``[0, 1]``.
    """
    y_true, y_pred = _check_pair(y_true, y_pred)
    same = [t == p for t, p in zip(y_true.tolist(), y_pred.tolist())]
    return float(np.mean(same))


def confusion_matrix(y_true, y_pred, labels=None):
    r"""Counts of (true label, predicted label) pairs.

    ``C[i, j]`` is the number of samples whose true label is ``labels[i]`` and
    whose predicted label is ``labels[j]``: rows are true labels, columns
    predicted ones, both in the order of ``labels``. The diagonal counts the
    correct predictions, so ``trace(C) / n`` is the accuracy, row ``i`` sums to
    the support of ``labels[i]`` and column ``j`` to the number of times it was
    predicted.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted labels (numbers or strings).
    labels : array-like of shape (n_classes,), optional
        The classes, distinct, in the order of the rows and columns; it may
        name classes that never occur (their row and column are zeros).
        Default: the labels seen in ``y_true`` or ``y_pred``, sorted.

    Returns
    -------
    ndarray of int64, shape (n_classes, n_classes)

    Raises
    ------
    ValueError
        If ``y_true`` or ``y_pred`` holds a label missing from ``labels``
        (scikit-learn drops such samples instead), if the lengths differ, or if
        an argument is empty or not 1-D.
    """
    y_true, y_pred = _check_pair(y_true, y_pred)
    labels = _check_labels(labels, y_true, y_pred)
    k = len(labels)
    t = _indices("y_true", y_true, labels)
    p = _indices("y_pred", y_pred, labels)
    return np.bincount(t * k + p, minlength=k * k).reshape(k, k).astype(np.int64)


class PerClassScores(NamedTuple):
    """Precision, recall, F1 and support per class, each of shape ``(n_classes,)``,
    in the order of ``labels``."""

    labels: np.ndarray
    precision: np.ndarray
    recall: np.ndarray
    f1: np.ndarray
    support: np.ndarray


def _ratio(numerator, denominator):
    """``numerator / denominator`` elementwise, 0 where ``denominator`` is 0."""
    out = np.zeros(len(numerator))
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


def per_class_scores(y_true, y_pred, labels=None):
    r"""Precision, recall, F1 and support of each class.

    With ``C`` the [`confusion_matrix`][barenet.metrics.confusion_matrix], for class ``k`` let
    $TP_k = C_{kk}$, $FP_k = \sum_i C_{ik} - TP_k$ (predicted ``k``,
    something else) and $FN_k = \sum_j C_{kj} - TP_k$ (was ``k``,
    predicted something else). Then

    $$
    \mathrm{precision}_k = \frac{TP_k}{TP_k + FP_k},\quad
    \mathrm{recall}_k = \frac{TP_k}{TP_k + FN_k},\quad
    F_{1,k} = \frac{2\,TP_k}{2\,TP_k + FP_k + FN_k},
    $$

    and the support is $TP_k + FN_k$, the number of samples of class
    ``k`` in ``y_true``. $F_1$ is the harmonic mean of precision and
    recall. A score whose denominator is 0 (a class never predicted, for
    precision; a class absent from ``y_true``, for recall) is 0, as
    scikit-learn's ``zero_division=0``. Their plain means over the classes are
    the "macro" averages.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted labels (numbers or strings).
    labels : array-like of shape (n_classes,), optional
        As for [`confusion_matrix`][barenet.metrics.confusion_matrix].

    Returns
    -------
    PerClassScores
        A named tuple ``(labels, precision, recall, f1, support)``: the
        labels, three float64 arrays of shape ``(n_classes,)`` and the int64
        support.
    """
    y_true, y_pred = _check_pair(y_true, y_pred)
    labels = _check_labels(labels, y_true, y_pred)
    C = confusion_matrix(y_true, y_pred, labels)
    tp = np.diag(C)
    predicted = C.sum(axis=0)  # TP + FP
    support = C.sum(axis=1)    # TP + FN
    return PerClassScores(labels=labels, precision=_ratio(tp, predicted),
                          recall=_ratio(tp, support), f1=_ratio(2 * tp, predicted + support),
                          support=support)


def _check_values(y_true, y_pred):
    """Finite real arrays of the same shape ``(n_samples,)`` or ``(n_samples,
    n_outputs)``, as float64 and 2-D."""
    y_true = check_array("y_true", y_true, dtype=np.float64)
    y_pred = check_array("y_pred", y_pred, dtype=np.float64)
    for name, y in (("y_true", y_true), ("y_pred", y_pred)):
        if y.ndim > 2:
            raise ValueError(f"{name} must be 1-D or 2-D (n_samples, n_outputs), got shape "
                             f"{y.shape}")
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred must have the same shape, got {y_true.shape} "
                         f"and {y_pred.shape}")
    return y_true.reshape(len(y_true), -1), y_pred.reshape(len(y_pred), -1)


def r2_score(y_true, y_pred):
    r"""The coefficient of determination $R^2$.

    $$
    R^2 = 1 - \frac{\sum_i (y_i - \hat y_i)^2}{\sum_i (y_i - \bar y)^2}
    $$

    1 for perfect predictions, 0 for always predicting the mean $\bar y$
    of ``y_true``, negative for worse. When ``y_true`` is constant (a zero
    denominator) it is 1 if the predictions are exact, else 0, as
    scikit-learn. For several outputs it is the mean of each output's
    $R^2$.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Finite real values.

    Returns
    -------
    float
    """
    y_true, y_pred = _check_values(y_true, y_pred)
    residual = ((y_true - y_pred) ** 2).sum(axis=0)
    total = ((y_true - y_true.mean(axis=0)) ** 2).sum(axis=0)
    scores = np.where(residual == 0, 1.0, 0.0)
    np.subtract(1.0, residual / np.where(total > 0, total, 1.0), out=scores, where=total > 0)
    return float(scores.mean())


def rmse(y_true, y_pred):
    r"""The root mean squared error, in the units of ``y``.

    $$
    \mathrm{RMSE} = \sqrt{\frac{1}{n}\sum_{i=1}^{n} (y_i - \hat y_i)^2}
    $$

    For several outputs, the mean of each output's RMSE (as scikit-learn's
    ``root_mean_squared_error``).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Finite real values.

    Returns
    -------
    float
    """
    y_true, y_pred = _check_values(y_true, y_pred)
    # scaled by the largest error, so that errors near 1e200 do not overflow when squared
    error = y_true - y_pred
    scale = np.abs(error).max(axis=0)
    scale[scale == 0] = 1.0
    return float((scale * np.sqrt(((error / scale) ** 2).mean(axis=0))).mean())


def mae(y_true, y_pred):
    r"""The mean absolute error, in the units of ``y``.

    $$
    \mathrm{MAE} = \frac{1}{n}\sum_{i=1}^{n} |y_i - \hat y_i|
    $$

    For several outputs, the mean over the outputs.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Finite real values.

    Returns
    -------
    float
    """
    y_true, y_pred = _check_values(y_true, y_pred)
    return float(np.abs(y_true - y_pred).mean())

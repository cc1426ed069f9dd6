"""barenet.metrics against scikit-learn's functions of the same name, on random
labels and values, plus identities that need no reference."""

import warnings

import numpy as np
import pytest

from barenet import metrics

sk = pytest.importorskip("sklearn.metrics")


def random_labels(seed, n=200, classes=(0, 1, 2, 3), p_true=None, p_pred=None):
    rng = np.random.default_rng(seed)
    classes = np.asarray(classes)
    return rng.choice(classes, size=n, p=p_true), rng.choice(classes, size=n, p=p_pred)


CASES = {
    "ints": dict(classes=(0, 1, 2, 3)),
    "strings": dict(classes=("cat", "dog", "emu")),
    # "ant" is never predicted: its precision has a zero denominator
    "never-predicted": dict(classes=("ant", "bee", "cow"), p_pred=[0.0, 0.5, 0.5]),
    # 7 never occurs in y_true: its recall has a zero denominator
    "absent-from-y_true": dict(classes=(1, 4, 7), p_true=[0.5, 0.5, 0.0]),
}


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("case", CASES)
def test_classification_scores_match_scikit_learn(case, seed):
    y_true, y_pred = random_labels(seed, **CASES[case])
    labels = np.asarray(CASES[case]["classes"])[::-1]  # an order that is not sorted
    C = metrics.confusion_matrix(y_true, y_pred, labels)
    assert C.dtype == np.int64
    np.testing.assert_array_equal(C, sk.confusion_matrix(y_true, y_pred, labels=labels))

    scores = metrics.per_class_scores(y_true, y_pred, labels)
    precision, recall, f1, support = sk.precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0)
    np.testing.assert_array_equal(scores.labels, labels)
    np.testing.assert_allclose(scores.precision, precision, rtol=0, atol=1e-15)
    np.testing.assert_allclose(scores.recall, recall, rtol=0, atol=1e-15)
    np.testing.assert_allclose(scores.f1, f1, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(scores.support, support)
    assert metrics.accuracy(y_true, y_pred) == pytest.approx(sk.accuracy_score(y_true, y_pred),
                                                             abs=1e-15)


def test_zero_denominators_give_zero():
    y_true = np.array(["a", "a", "b", "b"])
    y_pred = np.array(["b", "b", "b", "b"])  # "a" never predicted, "c" never occurs
    scores = metrics.per_class_scores(y_true, y_pred, ["a", "b", "c"])
    assert scores.precision.tolist() == [0.0, 0.5, 0.0]
    assert scores.recall.tolist() == [0.0, 1.0, 0.0]
    assert scores.f1[0] == 0.0 and scores.f1[2] == 0.0
    assert scores.f1[1] == pytest.approx(2 * 0.5 * 1.0 / 1.5)
    assert scores.support.tolist() == [2, 2, 0]
    assert np.isfinite(scores.f1).all()


@pytest.mark.parametrize("seed", range(4))
def test_identities(seed):
    y_true, y_pred = random_labels(seed, n=150, classes=("x", "y", "z", "w"))
    labels = ["w", "x", "y", "z"]
    C = metrics.confusion_matrix(y_true, y_pred, labels)
    scores = metrics.per_class_scores(y_true, y_pred, labels)
    assert C.sum() == len(y_true)
    assert np.trace(C) / len(y_true) == metrics.accuracy(y_true, y_pred)
    np.testing.assert_array_equal(C.sum(axis=1), scores.support)
    np.testing.assert_array_equal(C.sum(axis=0), [np.sum(y_pred == k) for k in labels])
    # F1 is the harmonic mean of precision and recall
    p, r = scores.precision, scores.recall
    np.testing.assert_allclose(scores.f1, np.where(p + r > 0, 2 * p * r / np.where(p + r > 0,
                                                                                   p + r, 1), 0))
    # swapping truth and prediction transposes the matrix and swaps precision and recall
    np.testing.assert_array_equal(metrics.confusion_matrix(y_pred, y_true, labels), C.T)
    swapped = metrics.per_class_scores(y_pred, y_true, labels)
    np.testing.assert_allclose(swapped.precision, scores.recall)
    np.testing.assert_allclose(swapped.recall, scores.precision)
    # perfect predictions: a diagonal matrix and scores of 1
    assert metrics.accuracy(y_true, y_true) == 1.0
    C = metrics.confusion_matrix(y_true, y_true, labels)
    np.testing.assert_array_equal(C, np.diag(scores.support))


def test_default_labels_are_the_sorted_labels_seen():
    y_true, y_pred = [3, 1, 1, 2], [1, 1, 5, 2]
    scores = metrics.per_class_scores(y_true, y_pred)
    assert scores.labels.tolist() == [1, 2, 3, 5]
    np.testing.assert_array_equal(metrics.confusion_matrix(y_true, y_pred),
                                  sk.confusion_matrix(y_true, y_pred))


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("outputs", [None, 1, 3])
def test_regression_scores_match_scikit_learn(seed, outputs):
    rng = np.random.default_rng(seed)
    shape = (50,) if outputs is None else (50, outputs)
    y_true = rng.normal(size=shape) * 3 + 1
    y_pred = y_true + rng.normal(size=shape)
    for ours, theirs in [(metrics.r2_score, sk.r2_score),
                         (metrics.rmse, sk.root_mean_squared_error),
                         (metrics.mae, sk.mean_absolute_error)]:
        assert ours(y_true, y_pred) == pytest.approx(theirs(y_true, y_pred), rel=1e-12, abs=1e-14)
        assert isinstance(ours(y_true, y_pred), float)
    # lists give the same
    assert metrics.rmse(y_true.tolist(), y_pred.tolist()) == pytest.approx(
        sk.root_mean_squared_error(y_true, y_pred), rel=1e-12)


def test_regression_identities():
    rng = np.random.default_rng(5)
    y = rng.normal(size=40)
    assert metrics.r2_score(y, y) == 1.0
    assert metrics.rmse(y, y) == 0.0 and metrics.mae(y, y) == 0.0
    assert metrics.r2_score(y, np.full_like(y, y.mean())) == pytest.approx(0.0, abs=1e-15)
    assert metrics.rmse(y, y + 2.0) == pytest.approx(2.0, rel=1e-15)
    assert metrics.mae(y, y - 0.5) == pytest.approx(0.5, rel=1e-15)
    assert metrics.rmse(y, np.zeros_like(y)) >= metrics.mae(y, np.zeros_like(y))
    # constant y_true: 1 for exact predictions, else 0 (scikit-learn's convention)
    constant = np.full(10, 2.0)
    assert metrics.r2_score(constant, constant) == 1.0 == sk.r2_score(constant, constant)
    assert metrics.r2_score(constant, constant + 1) == 0.0 == sk.r2_score(constant, constant + 1)


@pytest.mark.parametrize("function", [metrics.accuracy, metrics.confusion_matrix,
                                      metrics.per_class_scores])
def test_classification_rejects_bad_input(function):
    with pytest.raises(ValueError, match="same length"):
        function([0, 1, 1], [0, 1])
    with pytest.raises(ValueError, match="y_true is empty"):
        function([], [])
    with pytest.raises(ValueError, match="y_pred must be 1-D"):
        function([0, 1], [[0, 1]])
    with pytest.raises(ValueError, match="y_true must be 1-D"):
        function(np.zeros((2, 2)), [0, 1])


@pytest.mark.parametrize("function", [metrics.confusion_matrix, metrics.per_class_scores])
def test_labels_are_checked(function):
    with pytest.raises(ValueError, match="y_pred holds labels that are not in labels: c"):
        function(["a", "b"], ["a", "c"], labels=["a", "b"])
    with pytest.raises(ValueError, match="y_true holds labels that are not in labels: 3"):
        function([3, 1], [1, 1], labels=[1, 2])
    with pytest.raises(ValueError, match="labels must be distinct"):
        function([1, 2], [1, 2], labels=[1, 2, 1])
    with pytest.raises(ValueError, match="labels is empty"):
        function([1, 2], [1, 2], labels=[])


@pytest.mark.parametrize("function", [metrics.r2_score, metrics.rmse, metrics.mae])
def test_regression_rejects_bad_input(function):
    with pytest.raises(ValueError, match="same shape"):
        function([1.0, 2.0, 3.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="same shape"):
        function(np.zeros((4, 2)), np.zeros(4))
    with pytest.raises(ValueError, match="y_true is empty"):
        function([], [])
    with pytest.raises(ValueError, match="y_pred contains NaN"):
        function([1.0, 2.0], [1.0, np.nan])
    with pytest.raises(TypeError, match="y_true must hold numbers"):
        function(["a", "b"], [1.0, 2.0])
    with pytest.raises(ValueError, match="y_true must be 1-D or 2-D"):
        function(np.zeros((2, 1, 1)), np.zeros((2, 1, 1)))


@pytest.mark.parametrize("metric", [metrics.accuracy, metrics.confusion_matrix,
                                    metrics.per_class_scores])
def test_nan_is_no_label(metric):
    with pytest.raises(ValueError, match="y_true contains NaN or infinity"):
        metric([np.nan, 1.0], [np.nan, 1.0])
    with pytest.raises(ValueError, match="y_pred contains NaN or infinity"):
        metric([0.0, 1.0], [np.inf, 1.0])


def test_rmse_of_errors_whose_squares_overflow():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert metrics.rmse([1e200, 0.0], [-1e200, 0.0]) == pytest.approx(2e200 / np.sqrt(2))
        assert metrics.rmse([[1e200, 1.0]], [[0.0, 1.0]]) == pytest.approx(0.5e200)


def test_import_barenet_brings_the_metrics():
    import barenet

    assert barenet.metrics.accuracy is metrics.accuracy

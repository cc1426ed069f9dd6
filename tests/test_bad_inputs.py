"""Bad input, through every entry point, gets a clear error before any work.

Issue 6: empty, 1-D/2-D confusions, ragged, object or string arrays, NaN and
infinity, sample and feature counts that disagree, labels that do not fit the
output layer, unknown names, hyper-parameters out of range, and files that are
missing, empty, truncated, foreign or altered by hand -- through the notebook
functions, ``Network``, ``gradient_check``, the data set loaders,
``barenet.load`` and the command line.

Every case is a row of a table: the call, the exception type expected, and the
words its message must contain (the culprit argument's name, and what was
expected). :func:`assert_clear` also checks that the exception is one of the
allowed kinds, was raised by barenet's own code (not from inside NumPy) and
does not read like an accident (a broadcasting or indexing error).

Rows marked ``xfail(strict=True)`` are gaps found in files this module's
author could not change (network.py, persistence.py, cli.py, datasets.py);
each reason says what is wrong. They turn into failures once fixed, so the
mark is removed then.
"""

import functools
import json
import re
import warnings
from pathlib import Path

import numpy as np
import pytest

import barenet
from barenet import activations, callbacks, cli, datasets, initializers, losses
from barenet import notebook as nb
from barenet import optimizers, schedules
from barenet.errors import NotFittedError
from barenet.persistence import ModelFileError

SRC = Path(barenet.__file__).resolve().parent

#: What a message reads like when a check is missing and NumPy or Python fell over.
ACCIDENTS = (
    "broadcast", "setting an array element", "could not convert", "not subscriptable",
    "has no attribute", "unsupported operand", "object of type", "inhomogeneous",
    "invalid literal", "positional argument", "unhashable", "out of bounds",
    "did not contain a loop", "not iterable", "must be real number, not",
)
ALLOWED = (ValueError, TypeError, FileNotFoundError)


def word_in(word, text):
    """``word`` in ``text``, not as a piece of a longer name ('X' is not in 'X_train')."""
    return re.search(r"(?<![\w])" + re.escape(word) + r"(?![\w])", text) is not None


def assert_clear(info, words):
    """The raised exception is an allowed kind, raised by barenet, and its
    message names every one of ``words``."""
    error = info.value
    message = str(error)
    assert isinstance(error, ALLOWED), f"{type(error).__name__}: {message}"
    assert not isinstance(error, (IndexError, KeyError)), f"{type(error).__name__}: {message}"
    for word in words:
        assert word_in(word, message), f"{word!r} is not in the message {message!r}"
    for accident in ACCIDENTS:
        assert accident not in message.lower(), f"an accidental error: {message!r}"
    raised_at = Path(str(info.traceback[-1].path)).resolve()
    assert SRC in raised_at.parents, f"raised outside barenet, at {raised_at}: {message!r}"


def case(id, call, exc, *words, xfail=None):
    """A table row: ``call()`` must raise ``exc`` with every word in its message."""
    marks = [pytest.mark.xfail(strict=True, reason=xfail)] if xfail else []
    return pytest.param(call, exc, words, id=id, marks=marks)


def run_case(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    assert_clear(info, words)
    return info


# ===================================================================== data

M = 40
rng = np.random.default_rng(0)
X = rng.normal(size=(M, 3))
y_binary = (X[:, 0] + X[:, 1] > 0).astype(int)
y_three = np.arange(M) % 3
y_real = X @ np.array([1.0, -2.0, 0.5])


def bad_matrices(rows, cols):
    """``(id, value, exception, words)`` for every kind of bad 2-D numeric input
    whose good form has shape ``(rows, cols)``."""
    good = np.ones((rows, cols))
    with_nan, with_inf, with_minf = good.copy(), good.copy(), good.copy()
    with_nan[1, 1], with_inf[0, 0], with_minf[-1, -1] = np.nan, np.inf, -np.inf
    ragged = good.tolist()
    ragged[1] = ragged[1][:-1]
    return [
        ("empty", np.empty((0, cols)), ValueError, ("empty",)),
        ("no-columns", np.empty((rows, 0)), ValueError, ("empty",)),
        ("1-D", good[0], ValueError, ("2-D",)),
        ("3-D", good[..., None], ValueError, ("2-D",)),
        ("scalar", 1.0, ValueError, ("2-D",)),
        ("ragged", ragged, ValueError, ("ragged",)),
        ("object", good.astype(object), TypeError, ("numbers",)),
        ("strings", np.full((rows, cols), "a"), TypeError, ("numbers",)),
        ("numeric-strings", good.astype(str), TypeError, ("numbers",)),
        ("None", None, TypeError, ()),
        ("complex", good.astype(complex), TypeError, ("real",)),
        ("nan", with_nan, ValueError, ("NaN",)),
        ("inf", with_inf, ValueError, ("infinity",)),
        ("-inf", with_minf, ValueError, ("infinity",)),
    ]


BAD_X = bad_matrices(M, 3)                    # samples x features, for Network
BAD_X_NB = bad_matrices(3, 8)                 # features x samples, for the notebook


def binary_net(**kwargs):
    return barenet.Network([3, 4, 1], ["relu", "sigmoid"], seed=0, **kwargs)


def softmax_net(**kwargs):
    return barenet.Network([3, 4, 3], ["relu", "softmax"], seed=0, **kwargs)


def regressor(**kwargs):
    return barenet.Network([3, 4, 1], ["relu", "linear"], seed=0, **kwargs)


@functools.cache
def fitted(kind):
    """A small fitted network (never changed by the tests that use it)."""
    net, y = {"binary": (binary_net, y_binary), "softmax": (softmax_net, y_three),
              "regression": (regressor, y_real)}[kind]
    net = net()
    net.fit(X, y, epochs=1)
    return net


class StopAfterFirstEpoch(callbacks.Callback):
    def on_epoch_end(self, epoch, history):
        return True


def interrupted(**fit_kwargs):
    """A network whose run of 3 epochs stopped after the first: resumable."""
    net = binary_net()
    net.fit(X, y_binary, epochs=3, callbacks=[StopAfterFirstEpoch()], **fit_kwargs)
    return net


# ============================================================ Network(...)

CONSTRUCTOR = [
    case("layer_sizes-empty", lambda: barenet.Network([], []), ValueError, "layer_sizes"),
    case("layer_sizes-one", lambda: barenet.Network([3], []), ValueError, "layer_sizes"),
    case("layer_sizes-string", lambda: barenet.Network("341", ["relu"]), TypeError, "layer_sizes"),
    case("layer_sizes-int", lambda: barenet.Network(3, ["relu"]), TypeError, "layer_sizes"),
    case("layer_sizes-None", lambda: barenet.Network(None, ["relu"]), TypeError, "layer_sizes"),
    case("layer_sizes-zero", lambda: barenet.Network([3, 0, 1], ["relu", "sigmoid"]),
         ValueError, "layer_sizes[1]", ">= 1"),
    case("layer_sizes-negative", lambda: barenet.Network([3, -4, 1], ["relu", "sigmoid"]),
         ValueError, "layer_sizes[1]"),
    case("layer_sizes-zero-inputs", lambda: barenet.Network([0, 4, 1], ["relu", "sigmoid"]),
         ValueError, "layer_sizes[0]"),
    case("layer_sizes-float", lambda: barenet.Network([3, 2.5, 1], ["relu", "sigmoid"]),
         TypeError, "layer_sizes[1]", "integer"),
    case("layer_sizes-bool", lambda: barenet.Network([3, True, 1], ["relu", "sigmoid"]),
         TypeError, "layer_sizes[1]"),
    case("layer_sizes-string-entry", lambda: barenet.Network([3, "4", 1], ["relu", "sigmoid"]),
         TypeError, "layer_sizes[1]"),
    case("activations-too-few", lambda: barenet.Network([3, 4, 1], ["sigmoid"]),
         ValueError, "activations", "one activation per weight layer"),
    case("activations-one-per-size",
         lambda: barenet.Network([3, 4, 1], ["linear", "relu", "sigmoid"]),
         ValueError, "activations"),
    case("activations-string", lambda: barenet.Network([3, 4, 1], "relu"), TypeError,
         "activations"),
    case("activations-None", lambda: barenet.Network([3, 4, 1], None), TypeError, "activations"),
    case("activation-unknown", lambda: barenet.Network([3, 4, 1], ["relux", "sigmoid"]),
         ValueError, "relux", "relu", "sigmoid", "softmax", "tanh"),
    case("activation-None", lambda: barenet.Network([3, 4, 1], [None, "sigmoid"]),
         ValueError, "activation", "relu"),
    case("init-unknown", lambda: binary_net(init="hee"), ValueError, "hee", "he", "xavier",
         "random"),
    case("init-None", lambda: binary_net(init=None), ValueError, "initialization", "he"),
    case("dtype-float16", lambda: binary_net(dtype="float16"), ValueError, "dtype", "float32"),
    case("dtype-int", lambda: binary_net(dtype=int), ValueError, "dtype"),
    case("dtype-nonsense", lambda: binary_net(dtype="banana"), TypeError, "dtype"),
    case("loss-unknown", lambda: binary_net(loss="hinge"),
         ValueError, "hinge", "binary_crossentropy", "mse"),
    case("loss-contradicts-output", lambda: binary_net(loss="categorical_crossentropy"),
         ValueError, "softmax"),
    case("poisson-without-exp", lambda: barenet.Network([3, 4, 1], ["relu", "linear"],
                                                        loss="half_poisson"),
         ValueError, "half_poisson", "exp"),
    case("softmax-with-1-unit", lambda: barenet.Network([3, 4, 1], ["relu", "softmax"]),
         ValueError, "softmax"),
    case("l2-negative", lambda: binary_net(l2=-0.1), ValueError, "l2", ">= 0"),
    case("l2-nan", lambda: binary_net(l2=float("nan")), ValueError, "l2", "finite"),
    case("l2-inf", lambda: binary_net(l2=float("inf")), ValueError, "l2"),
    case("l2-string", lambda: binary_net(l2="0.1"), TypeError, "l2"),
    case("dropout-1", lambda: binary_net(dropout=1.0), ValueError, "dropout", "[0, 1)"),
    case("dropout-negative", lambda: binary_net(dropout=-0.1), ValueError, "dropout"),
    case("dropout-1.5", lambda: binary_net(dropout=1.5), ValueError, "dropout"),
    case("dropout-nan", lambda: binary_net(dropout=float("nan")), ValueError, "dropout"),
    case("dropout-wrong-length", lambda: binary_net(dropout=[0.1, 0.2]), ValueError, "dropout"),
    case("dropout-list-entry", lambda: binary_net(dropout=[1.0]), ValueError, "dropout[0]"),
    case("dropout-string", lambda: binary_net(dropout="0.1"), TypeError, "dropout"),
    case("batch_norm-string", lambda: binary_net(batch_norm="yes"), TypeError, "batch_norm"),
    case("batch_norm-wrong-length", lambda: binary_net(batch_norm=[True, False]),
         ValueError, "batch_norm"),
    case("bn_momentum-1", lambda: binary_net(bn_momentum=1.0), ValueError, "bn_momentum"),
    case("bn_momentum-negative", lambda: binary_net(bn_momentum=-0.5), ValueError, "bn_momentum"),
    case("bn_eps-0", lambda: binary_net(bn_eps=0), ValueError, "bn_eps", "> 0"),
    case("bn_eps-negative", lambda: binary_net(bn_eps=-1e-5), ValueError, "bn_eps"),
    case("seed-negative", lambda: barenet.Network([3, 1], ["sigmoid"], seed=-1), ValueError,
         "seed"),
    case("seed-float", lambda: barenet.Network([3, 1], ["sigmoid"], seed=1.5), TypeError, "seed"),
    case("seed-string", lambda: barenet.Network([3, 1], ["sigmoid"], seed="0"), TypeError, "seed"),
]


@pytest.mark.parametrize("call, exc, words", CONSTRUCTOR)
def test_network_constructor_rejects(call, exc, words):
    run_case(call, exc, words)


# ============================================================ Network.fit
# Each row: (network factory, fit arguments) -> exception and message words.
# Every rejected call must leave the network as it was.

def fit_row(id, make, kwargs, exc, *words, xfail=None):
    marks = [pytest.mark.xfail(strict=True, reason=xfail)] if xfail else []
    return pytest.param(make, kwargs, exc, words, id=id, marks=marks)


def _X(**override):
    """fit arguments: good X and binary labels, with overrides."""
    return {"X": X, "y": y_binary, **override}


FIT = [
    *(fit_row(f"X-{id}", binary_net, _X(X=value), exc, "X", *words)
      for id, value, exc, words in BAD_X),
    fit_row("X-wrong-features", binary_net, _X(X=np.ones((M, 4))), ValueError, "X", "4", "3",
            "features"),
    fit_row("X-transposed", binary_net, _X(X=X.T), ValueError, "X", "features"),
    # y against X
    fit_row("y-empty", binary_net, _X(y=np.array([])), ValueError, "y", "X", "samples"),
    fit_row("y-too-short", binary_net, _X(y=y_binary[:-1]), ValueError, "y", "39", "40"),
    fit_row("y-too-long", binary_net, _X(y=np.r_[y_binary, 1]), ValueError, "y", "41", "40"),
    fit_row("y-None", binary_net, _X(y=None), ValueError, "y"),
    fit_row("y-scalar", binary_net, _X(y=1), ValueError, "y"),
    fit_row("y-2-D-for-binary", binary_net, _X(y=np.stack([y_binary, y_binary], 1)),
            ValueError, "y", "1-D"),
    fit_row("y-row-vector", binary_net, _X(y=y_binary[None, :]), ValueError, "y", "samples"),
    fit_row("y-ragged", binary_net, _X(y=[[0], [1, 0]] + [[1]] * (M - 2)), ValueError, "y"),
    fit_row("y-object-mixed", binary_net, _X(y=np.where(y_binary == 1, "a", None).astype(object)),
            ValueError, "y", "missing"),
    fit_row("y-object-mixed-types", binary_net,
            _X(y=np.array([0, "a"] * (M // 2) + [0] * (M % 2), dtype=object)),
            TypeError, "y", "numbers", "str"),
    fit_row("y-nan", binary_net, _X(y=np.where(np.arange(M) == 3, np.nan, y_binary)),
            ValueError, "y", "NaN"),
    fit_row("y-inf", binary_net, _X(y=np.where(np.arange(M) == 3, np.inf, y_binary)),
            ValueError, "y", "infinity"),
    fit_row("y-strings-for-regressor", regressor, _X(y=np.full(M, "a")), TypeError, "y", "numbers"),
    fit_row("y-nan-for-regressor", regressor, _X(y=np.where(np.arange(M) == 3, np.nan, y_real)),
            ValueError, "y", "NaN"),
    fit_row("y-inf-for-regressor", regressor, _X(y=np.where(np.arange(M) == 3, -np.inf, y_real)),
            ValueError, "y", "infinity"),
    fit_row("y-two-columns-for-1-output-regressor", regressor,
            _X(y=np.stack([y_real, y_real], 1)), ValueError, "y", "2", "1"),
    # labels that do not fit the output layer
    fit_row("3-classes-into-sigmoid", binary_net, _X(y=y_three), ValueError, "y", "3 classes",
            "sigmoid"),
    fit_row("regression-targets-into-sigmoid", binary_net, _X(y=y_real), ValueError, "y",
            "continuous"),
    fit_row("regression-targets-into-softmax", softmax_net, _X(y=y_real), ValueError, "y",
            "continuous"),
    fit_row("single-class", binary_net, _X(y=np.zeros(M, int)), ValueError, "y", "single class"),
    fit_row("single-class-softmax", softmax_net, _X(y=np.full(M, "a")), ValueError, "y",
            "single class"),
    fit_row("5-classes-into-3-softmax-units", softmax_net, _X(y=np.arange(M) % 5), ValueError,
            "y", "5 classes", "3 units"),
    # hyper-parameters of fit
    fit_row("epochs-0", binary_net, _X(epochs=0), ValueError, "epochs", ">= 1"),
    fit_row("epochs-negative", binary_net, _X(epochs=-3), ValueError, "epochs"),
    fit_row("epochs-float", binary_net, _X(epochs=2.5), TypeError, "epochs", "integer"),
    fit_row("epochs-string", binary_net, _X(epochs="10"), TypeError, "epochs"),
    fit_row("epochs-None", binary_net, _X(epochs=None), TypeError, "epochs"),
    fit_row("batch_size-0", binary_net, _X(batch_size=0), ValueError, "batch_size", ">= 1"),
    fit_row("batch_size-negative", binary_net, _X(batch_size=-8), ValueError, "batch_size"),
    fit_row("batch_size-float", binary_net, _X(batch_size=2.5), TypeError, "batch_size", "integer"),
    fit_row("batch_size-float-whole", binary_net, _X(batch_size=8.0), TypeError, "batch_size"),
    fit_row("batch_size-bool", binary_net, _X(batch_size=True), TypeError, "batch_size"),
    fit_row("batch_size-string", binary_net, _X(batch_size="32"), TypeError, "batch_size"),
    fit_row("optimizer-unknown", binary_net, _X(optimizer="adamm"), ValueError, "adamm", "adam",
            "gd", "momentum", "rmsprop"),
    fit_row("optimizer-number", binary_net, _X(optimizer=0.01), ValueError, "optimizer", "adam"),
    fit_row("optimizer-None", binary_net, _X(optimizer=None), ValueError, "optimizer"),
    fit_row("schedule-unknown", binary_net, _X(schedule="cosin"), ValueError, "cosin", "cosine",
            "step", "exponential"),
    fit_row("schedule-min_lr-above-lr", binary_net,
            _X(optimizer=barenet.Adam(lr=1e-3), schedule=schedules.CosineDecay(min_lr=0.1)),
            ValueError, "min_lr"),
    fit_row("validation_data-not-a-pair", binary_net, _X(validation_data=X), TypeError,
            "validation_data"),
    fit_row("validation_data-X-features", binary_net,
            _X(validation_data=(np.ones((5, 4)), np.ones(5, int))), ValueError,
            "validation_data[0]", "features"),
    fit_row("validation_data-X-nan", binary_net,
            _X(validation_data=(np.full((5, 3), np.nan), np.ones(5, int))), ValueError,
            "validation_data[0]", "NaN"),
    fit_row("validation_data-y-length", binary_net,
            _X(validation_data=(X[:5], y_binary[:4])), ValueError, "validation_data[1]", "samples"),
    fit_row("validation_data-unknown-label", binary_net,
            _X(validation_data=(X[:5], np.array([0, 1, 7, 0, 1]))), ValueError,
            "validation_data[1]", "7"),
    fit_row("validation-both", binary_net,
            _X(validation_data=(X[:5], y_binary[:5]), validation_split=0.2), ValueError,
            "validation_data", "validation_split"),
    fit_row("validation_split-0", binary_net, _X(validation_split=0.0), ValueError,
            "validation_split"),
    fit_row("validation_split-1", binary_net, _X(validation_split=1.0), ValueError,
            "validation_split"),
    fit_row("validation_split-negative", binary_net, _X(validation_split=-0.2), ValueError,
            "validation_split"),
    fit_row("validation_split-string", binary_net, _X(validation_split="0.2"), TypeError,
            "validation_split"),
    fit_row("validation_split-too-small", binary_net, _X(validation_split=0.001), ValueError,
            "validation_split"),
    fit_row("sample_weight-length", binary_net, _X(sample_weight=np.ones(M - 1)), ValueError,
            "sample_weight"),
    fit_row("sample_weight-2-D", binary_net, _X(sample_weight=np.ones((M, 1))), ValueError,
            "sample_weight"),
    fit_row("sample_weight-negative", binary_net, _X(sample_weight=-np.ones(M)), ValueError,
            "sample_weight"),
    fit_row("sample_weight-nan", binary_net, _X(sample_weight=np.full(M, np.nan)), ValueError,
            "sample_weight"),
    fit_row("sample_weight-strings", binary_net, _X(sample_weight=np.full(M, "a")), TypeError,
            "sample_weight"),
    fit_row("class_weight-unknown-string", binary_net, _X(class_weight="balance"), TypeError,
            "class_weight"),
    fit_row("class_weight-unknown-label", binary_net, _X(class_weight={7: 2.0}), ValueError,
            "class_weight"),
    fit_row("class_weight-negative", binary_net, _X(class_weight={1: -2.0}), ValueError,
            "class_weight[1]"),
    fit_row("class_weight-for-regressor", regressor, _X(y=y_real, class_weight="balanced"),
            ValueError, "class_weight"),
    fit_row("callback-not-a-Callback", binary_net, _X(callbacks=[object()]), TypeError,
            "callbacks"),
    fit_row("callbacks-not-a-list", binary_net, _X(callbacks=StopAfterFirstEpoch()), TypeError,
            "callbacks"),
    fit_row("early-stopping-without-validation", binary_net,
            _X(callbacks=[barenet.EarlyStopping(monitor="val_loss")]), ValueError, "val_loss"),
    fit_row("early-stopping-unknown-key", binary_net,
            _X(callbacks=[barenet.EarlyStopping(monitor="val_acc")]), ValueError, "val_acc"),
]


def _state(net):
    return (net.parameters.copy(), net.flat.state.copy(), net.classes_, net.history_,
            net.optimizer_, net.fit_config_)


def _assert_unchanged(net, before):
    parameters, state, classes, history, optimizer, config = before
    np.testing.assert_array_equal(net.parameters, parameters)
    np.testing.assert_array_equal(net.flat.state, state)
    assert net.history_ is history and net.optimizer_ is optimizer
    assert net.fit_config_ == config
    if classes is None:
        assert net.classes_ is None
    else:
        np.testing.assert_array_equal(net.classes_, classes)


@pytest.mark.parametrize("make, kwargs, exc, words", FIT)
def test_fit_rejects_and_leaves_a_fresh_network_unchanged(make, kwargs, exc, words):
    net, twin = make(), make()
    before = _state(net)
    assert net.classes_ is None
    run_case(lambda: net.fit(**kwargs), exc, words)
    _assert_unchanged(net, before)
    # Not even the random state moved: a good fit now is the twin's, bit for bit.
    y = y_real if net.task == "regression" else (y_three if net.task == "multiclass" else y_binary)
    net.fit(X, y, epochs=1, validation_split=0.25)
    twin.fit(X, y, epochs=1, validation_split=0.25)
    np.testing.assert_array_equal(net.parameters, twin.parameters)


@pytest.mark.parametrize("make, kwargs, exc, words", [
    p for p in FIT if p.id.startswith(("X-", "y-", "epochs-", "batch_size-", "optimizer-",
                                       "validation", "3-classes", "single-class-softmax"))
])
def test_fit_rejects_and_leaves_a_fitted_network_unchanged(make, kwargs, exc, words):
    net = make()
    y = y_real if net.task == "regression" else (y_three if net.task == "multiclass" else y_binary)
    net.fit(X, y, epochs=1)
    if net.task == "multiclass" and kwargs["y"] is y_binary:
        kwargs = {**kwargs, "y": y_three}
    before = _state(net)
    # a fitted classifier knows its classes: new labels are "not trained on",
    # so only the culprit's name is asked of the message here
    run_case(lambda: net.fit(**kwargs), exc, words[:1])
    _assert_unchanged(net, before)


def test_fit_rejected_with_an_optimizer_object_does_not_step_it():
    net, adam = binary_net(), barenet.Adam(lr=0.01)
    run_case(lambda: net.fit(X, y_binary[:-1], optimizer=adam), ValueError, ("y",))
    assert adam.t == 0 and adam.get_state()["arrays"] == {}
    assert net.optimizer_ is None


# ========================================== Network: resume, predict, save...

def _resume(net_factory, *args, **kwargs):
    return lambda: net_factory().resume(*args, **kwargs)


METHODS = [
    # forward / predict / predict_proba / evaluate with every bad X
    *(case(f"{method}-X-{id}",
           (lambda m, v: lambda: getattr(fitted("binary"), m)(v))(method, value),
           exc, "X", *words)
      for method in ("forward", "predict", "predict_proba")
      for id, value, exc, words in BAD_X),
    *(case(f"evaluate-X-{id}", (lambda v: lambda: fitted("binary").evaluate(v, y_binary))(value),
           exc, "X", *words)
      for id, value, exc, words in BAD_X),
    *(case(f"{method}-wrong-features",
           (lambda m: lambda: getattr(fitted("binary"), m)(np.ones((2, 4))))(method),
           ValueError, "X", "4", "3", "features")
      for method in ("forward", "predict", "predict_proba")),
    case("predict-regressor-wrong-features", lambda: fitted("regression").predict(np.ones((2, 5))),
         ValueError, "X", "features"),
    case("predict-softmax-1-D", lambda: fitted("softmax").predict(X[0]), ValueError, "X", "2-D"),
    case("evaluate-wrong-features", lambda: fitted("binary").evaluate(np.ones((M, 2)), y_binary),
         ValueError, "X", "features"),
    case("evaluate-y-length", lambda: fitted("binary").evaluate(X, y_binary[:5]), ValueError,
         "y", "samples"),
    case("evaluate-y-unknown-label", lambda: fitted("binary").evaluate(X, y_binary + 5),
         ValueError, "y", "classes"),
    case("evaluate-y-continuous", lambda: fitted("binary").evaluate(X, y_real), ValueError, "y",
         "continuous"),
    case("evaluate-y-nan-regression",
         lambda: fitted("regression").evaluate(X, np.full(M, np.nan)), ValueError, "y", "NaN"),
    case("evaluate-y-strings-regression",
         lambda: fitted("regression").evaluate(X, np.full(M, "a")), TypeError, "y"),
    # not fitted / wrong kind of network
    case("predict-not-fitted", lambda: binary_net().predict(X), NotFittedError, "fit"),
    case("predict_proba-not-fitted", lambda: softmax_net().predict_proba(X), NotFittedError, "fit"),
    case("evaluate-not-fitted", lambda: binary_net().evaluate(X, y_binary), NotFittedError, "fit"),
    case("predict_proba-regressor", lambda: fitted("regression").predict_proba(X), TypeError,
         "predict_proba", "classifier"),
    # resume
    case("resume-never-fitted", lambda: binary_net().resume(X, y_binary), NotFittedError, "resume"),
    case("resume-finished-run", lambda: fitted("binary").resume(X, y_binary), ValueError, "epochs"),
    *(case(f"resume-X-{id}", _resume(interrupted, value, y_binary), exc, "X", *words)
      for id, value, exc, words in BAD_X),
    case("resume-X-features", _resume(interrupted, np.ones((M, 4)), y_binary), ValueError, "X",
         "features"),
    case("resume-y-length", _resume(interrupted, X, y_binary[:-1]), ValueError, "y", "samples"),
    case("resume-y-3-classes", _resume(interrupted, X, y_three), ValueError, "y", "classes"),
    case("resume-y-continuous", _resume(interrupted, X, y_real), ValueError, "y", "continuous"),
    case("resume-validation_data-bad-X",
         _resume(interrupted, X, y_binary, validation_data=(np.ones((4, 2)), np.ones(4, int))),
         ValueError, "validation_data[0]", "features"),
    case("resume-validation_data-not-a-pair",
         _resume(interrupted, X, y_binary, validation_data=(X,)), TypeError, "validation_data"),
    case("resume-other-samples-than-the-split",
         _resume(lambda: interrupted(validation_split=0.25), X[:30], y_binary[:30]),
         ValueError, "X", "40"),
    case("resume-callback-not-a-Callback",
         _resume(interrupted, X, y_binary, callbacks=[object()]), TypeError, "callbacks"),
    # save
    case("save-training_state-without-run",
         lambda: binary_net().save("never-written.npz", training_state=True), ValueError,
         "training_state"),
    case("save-custom-activation",
         lambda: barenet.Network([3, 1], [type("Custom", (activations.Sigmoid,), {})()]).save(
             "never-written.npz"), ValueError, "activation"),
    case("save-into-a-missing-directory",
         lambda: fitted("binary").save("/nonexistent-barenet-dir/model.npz"), FileNotFoundError,
         "/nonexistent-barenet-dir/model.npz"),
    case("save-path-None", lambda: fitted("binary").save(None), TypeError, "path"),
]


@pytest.mark.parametrize("call, exc, words", METHODS)
def test_network_methods_reject(call, exc, words, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run_case(call, exc, words)
    assert not list(tmp_path.iterdir()), "a rejected call wrote a file"


def test_a_rejected_resume_leaves_the_run_resumable():
    net, twin = interrupted(), interrupted()
    run_case(lambda: net.resume(np.ones((M, 4)), y_binary), ValueError, ("X",))
    run_case(lambda: net.resume(X, y_binary[:-1]), ValueError, ("y",))
    net.resume(X, y_binary)
    twin.resume(X, y_binary)
    np.testing.assert_array_equal(net.parameters, twin.parameters)
    assert net.history_ == twin.history_


# ================================================ optimizers, schedules, names

NAMES_AND_HYPERPARAMETERS = [
    case("activation-get", lambda: activations.get("sigmoidd"), ValueError, "sigmoidd",
         *activations.REGISTRY),
    case("initialization-get", lambda: initializers.get("glorot"), ValueError, "glorot",
         *initializers.REGISTRY),
    case("loss-get", lambda: losses.get("cross_entropy"), ValueError, "cross_entropy",
         *losses.REGISTRY),
    case("optimizer-get", lambda: optimizers.get("sgd"), ValueError, "sgd", *optimizers.REGISTRY),
    case("schedule-get", lambda: schedules.get("linear"), ValueError, "linear",
         *schedules.REGISTRY),
    case("leaky_relu-slope-nan", lambda: activations.LeakyReLU(float("nan")), ValueError, "slope"),
    *(case(f"{cls.__name__}-lr-{id}", (lambda c, v: lambda: c(lr=v))(cls, value), exc, "lr")
      for cls in optimizers.REGISTRY.values()
      for id, value, exc in [("0", 0, ValueError), ("negative", -0.01, ValueError),
                             ("nan", float("nan"), ValueError), ("inf", float("inf"), ValueError),
                             ("string", "0.01", TypeError), ("None", None, TypeError),
                             ("bool", True, TypeError)]),
    *(case(f"{cls.__name__}-clipnorm-{value}", (lambda c, v: lambda: c(clipnorm=v))(cls, value),
           ValueError, "clipnorm")
      for cls in optimizers.REGISTRY.values() for value in (0, -1.0)),
    *(case(f"{name}-{value}", (lambda c, k, v: lambda: c(**{k: v}))(cls, name, value),
           ValueError, name, "[0, 1)")
      for cls, name in [(optimizers.Momentum, "beta"), (optimizers.RMSProp, "beta"),
                        (optimizers.Adam, "beta1"), (optimizers.Adam, "beta2"),
                        (optimizers.AdamW, "beta1"), (optimizers.AdamW, "beta2")]
      for value in (1.0, -0.1, 1.5)),
    *(case(f"{cls.__name__}-eps-{value}", (lambda c, v: lambda: c(eps=v))(cls, value),
           ValueError, "eps", "> 0")
      for cls in (optimizers.RMSProp, optimizers.Adam, optimizers.AdamW) for value in (0, -1e-8)),
    case("AdamW-weight_decay-negative", lambda: optimizers.AdamW(weight_decay=-0.01), ValueError,
         "weight_decay"),
    case("Momentum-nesterov-string", lambda: optimizers.Momentum(nesterov="yes"), TypeError,
         "nesterov"),
    case("StepDecay-factor-0", lambda: schedules.StepDecay(factor=0), ValueError, "factor"),
    case("StepDecay-factor-1.5", lambda: schedules.StepDecay(factor=1.5), ValueError, "factor"),
    case("StepDecay-step-0", lambda: schedules.StepDecay(step=0), ValueError, "step"),
    case("StepDecay-step-float", lambda: schedules.StepDecay(step=2.5), TypeError, "step"),
    case("ExponentialDecay-rate-0", lambda: schedules.ExponentialDecay(rate=0), ValueError, "rate"),
    case("ExponentialDecay-rate-2", lambda: schedules.ExponentialDecay(rate=2), ValueError, "rate"),
    case("InverseTimeDecay-decay-negative", lambda: schedules.InverseTimeDecay(decay=-1),
         ValueError, "decay"),
    case("InverseTimeDecay-interval-0", lambda: schedules.InverseTimeDecay(interval=0),
         ValueError, "interval"),
    case("CosineDecay-min_lr-negative", lambda: schedules.CosineDecay(min_lr=-1e-3), ValueError,
         "min_lr"),
    case("schedule-call-lr0-0", lambda: schedules.CosineDecay()(0, 0, 10), ValueError, "lr0"),
    case("schedule-call-epochs-0", lambda: schedules.StepDecay()(0.1, 0, 0), ValueError, "epochs"),
    case("schedule-call-epoch-past-end", lambda: schedules.StepDecay()(0.1, 10, 10), ValueError,
         "epoch"),
    case("EarlyStopping-patience-negative", lambda: barenet.EarlyStopping(patience=-1),
         ValueError, "patience"),
    case("EarlyStopping-patience-float", lambda: barenet.EarlyStopping(patience=2.5), TypeError,
         "patience"),
    case("EarlyStopping-monitor-int", lambda: barenet.EarlyStopping(monitor=5), TypeError,
         "monitor"),
    case("EarlyStopping-mode", lambda: barenet.EarlyStopping(mode="up"), ValueError, "mode",
         "min", "max"),
    case("EarlyStopping-min_delta-negative", lambda: barenet.EarlyStopping(min_delta=-1),
         ValueError, "min_delta"),
    case("ModelCheckpoint-every-0", lambda: barenet.ModelCheckpoint("c.npz", every=0),
         ValueError, "every"),
    case("ModelCheckpoint-mode", lambda: barenet.ModelCheckpoint("c.npz", mode="best"),
         ValueError, "mode"),
]


@pytest.mark.parametrize("call, exc, words", NAMES_AND_HYPERPARAMETERS)
def test_names_and_hyperparameters_rejected(call, exc, words):
    run_case(call, exc, words)


# ========================================================= the notebook API

M_NB = 8


def nb_params(sizes=(3, 4, 1), **kwargs):
    return nb.initialize_parameters(list(sizes), "he", seed=0, **kwargs)


X_NB = rng.normal(size=(3, M_NB))
Y_NB = (X_NB[0] > 0).astype(float)[None, :]
ACTS = ["relu", "sigmoid"]


def without(key, **changes):
    params = nb_params()
    params.pop(key)
    params.update(changes)
    return params


def with_entry(key, value):
    params = nb_params()
    params[key] = value
    return params


def nb_forward():
    return nb.forward_prop(X_NB, ACTS, nb_params())


def nb_grads():
    AL, caches = nb_forward()
    return nb.backward_prop(AL, Y_NB, caches, ACTS)


def grads_with(key, value=None):
    grads = nb_grads()
    if value is None:
        grads.pop(key)
    else:
        grads[key] = value
    return grads


BAD_PARAMETERS = [
    ("not-a-dict", [np.ones((4, 3))], TypeError, ("parameters",)),
    ("empty", {}, ValueError, ("parameters",)),
    ("missing-b2", without("b2"), ValueError, ("parameters", "b2")),
    ("missing-W1", without("W1"), ValueError, ("parameters", "W1")),
    ("extra-key", with_entry("W7", np.ones((1, 1))), ValueError, ("parameters", "W7")),
    ("W2-misshaped", with_entry("W2", np.ones((1, 5))), ValueError, ("W2", "W1")),
    ("W1-1-D", with_entry("W1", np.ones(3)), ValueError, ("W1",)),
    ("b1-misshaped", with_entry("b1", np.ones((4,))), ValueError, ("b1",)),
    ("b2-row", with_entry("b2", np.ones((1, 4))), ValueError, ("b2",)),
    ("W1-strings", with_entry("W1", np.full((4, 3), "a")), TypeError, ("W1",)),
    ("W1-object", with_entry("W1", np.ones((4, 3), dtype=object)), TypeError, ("W1",)),
    ("W1-nan", with_entry("W1", np.full((4, 3), np.nan)), ValueError, ("W1", "NaN")),
    ("b2-inf", with_entry("b2", np.full((1, 1), np.inf)), ValueError, ("b2", "infinity")),
]

BAD_KEEP_PROB = [
    ("0", 0.0, ValueError, ("keep_prob", "(0, 1]")),
    ("negative", -0.5, ValueError, ("keep_prob",)),
    ("1.5", 1.5, ValueError, ("keep_prob",)),
    ("nan", float("nan"), ValueError, ("keep_prob",)),
    ("string", "0.8", TypeError, ("keep_prob",)),
    ("wrong-length", [0.8, 0.8], ValueError, ("keep_prob", "hidden")),
]


def _forward_with(**override):
    args = {"X": X_NB, "layer_activations": ACTS, "parameters": nb_params(), **override}
    return lambda: nb.forward_prop(**args)


AL_GOOD = np.full((1, M_NB), 0.5)

NOTEBOOK = [
    # initialize_parameters
    case("init-layer_shape-empty", lambda: nb.initialize_parameters([]), ValueError, "layer_shape"),
    case("init-layer_shape-one", lambda: nb.initialize_parameters([3]), ValueError, "layer_shape"),
    case("init-layer_shape-zero", lambda: nb.initialize_parameters([3, 0, 1]), ValueError,
         "layer_shape[1]"),
    case("init-layer_shape-float", lambda: nb.initialize_parameters([3, 2.5, 1]), TypeError,
         "layer_shape[1]"),
    case("init-layer_shape-string", lambda: nb.initialize_parameters("341"), TypeError,
         "layer_shape"),
    case("init-method-unknown", lambda: nb.initialize_parameters([3, 1], "glorot"), ValueError,
         "glorot", "he", "xavier", "random"),
    case("init-seed", lambda: nb.initialize_parameters([3, 1], seed=-2), ValueError, "seed"),
    case("init-batch_norm-string", lambda: nb.initialize_parameters([3, 4, 1], batch_norm="yes"),
         TypeError, "batch_norm"),
    # forward_prop: X, layer_activations, parameters, keep_prob
    *(case(f"forward_prop-X-{id}", _forward_with(X=value), exc, "X", *words)
      for id, value, exc, words in BAD_X_NB),
    case("forward_prop-X-rows", _forward_with(X=np.ones((4, M_NB))), ValueError, "X", "W1",
         "features x samples"),
    case("forward_prop-X-transposed", _forward_with(X=X_NB.T), ValueError, "X", "W1"),
    case("forward_prop-activations-too-many", _forward_with(layer_activations=["linear"] + ACTS),
         ValueError, "layer_activations", "one activation per weight layer"),
    case("forward_prop-activations-too-few", _forward_with(layer_activations=["sigmoid"]),
         ValueError, "layer_activations"),
    case("forward_prop-activations-string", _forward_with(layer_activations="relu"), TypeError,
         "layer_activations"),
    case("forward_prop-activation-unknown", _forward_with(layer_activations=["relu", "sigmod"]),
         ValueError, "sigmod", "sigmoid", "relu"),
    *(case(f"forward_prop-parameters-{id}", _forward_with(parameters=value), exc, *words)
      for id, value, exc, words in BAD_PARAMETERS),
    *(case(f"forward_prop-keep_prob-{id}", _forward_with(keep_prob=value), exc, *words)
      for id, value, exc, words in BAD_KEEP_PROB),
    case("forward_prop-seed", _forward_with(keep_prob=0.5, seed=-1), ValueError, "seed"),
    case("forward_prop-batch-norm-stats-misshaped",
         _forward_with(parameters={**nb_params(batch_norm=True), "running_var1": np.ones((3, 1))}),
         ValueError, "running_var1"),
    # cost
    case("cost-Y-wrong-size", lambda: nb.cost(AL_GOOD, np.ones((1, M_NB + 1))), ValueError, "Y",
         "AL"),
    case("cost-Y-transposed-shape", lambda: nb.cost(np.full((2, 3), 0.5), np.ones((3, 2))),
         ValueError, "Y", "AL"),
    case("cost-Y-empty", lambda: nb.cost(AL_GOOD, np.empty((1, 0))), ValueError, "Y"),
    case("cost-AL-empty", lambda: nb.cost(np.empty((1, 0)), np.empty((1, 0))), ValueError, "AL"),
    case("cost-AL-1-D", lambda: nb.cost(np.full(M_NB, 0.5), Y_NB[0]), ValueError, "AL", "2-D"),
    case("cost-AL-ragged", lambda: nb.cost([[0.5, 0.5], [0.5]], Y_NB), ValueError, "AL"),
    case("cost-AL-strings", lambda: nb.cost(np.full((1, M_NB), "a"), Y_NB), TypeError, "AL"),
    case("cost-AL-nan", lambda: nb.cost(np.full((1, M_NB), np.nan), Y_NB), ValueError, "AL", "NaN"),
    case("cost-AL-above-1", lambda: nb.cost(AL_GOOD + 0.7, Y_NB), ValueError, "AL", "[0, 1]"),
    case("cost-AL-negative", lambda: nb.cost(AL_GOOD - 0.7, Y_NB), ValueError, "AL", "[0, 1]"),
    case("cost-AL-negative-categorical",
         lambda: nb.cost(np.full((2, 3), -0.5), np.eye(2)[:, [0, 1, 0]],
                         "categorical_crossentropy"),
         ValueError, "AL"),
    case("cost-Y-nan", lambda: nb.cost(AL_GOOD, np.full((1, M_NB), np.nan)), ValueError, "Y",
         "NaN"),
    case("cost-Y-strings", lambda: nb.cost(AL_GOOD, np.full((1, M_NB), "1")), TypeError, "Y"),
    case("cost-Y-ragged", lambda: nb.cost(AL_GOOD, [[0.0] * M_NB, [1.0]]), ValueError, "Y"),
    case("cost-3-classes-into-binary", lambda: nb.cost(AL_GOOD, np.arange(M_NB)[None] % 3),
         ValueError, "Y", "[0, 1]"),
    case("cost-regression-targets-into-cross-entropy",
         lambda: nb.cost(AL_GOOD, 5 * rng.normal(size=(1, M_NB))), ValueError, "Y", "[0, 1]"),
    case("cost-loss-unknown", lambda: nb.cost(AL_GOOD, Y_NB, "hinge"), ValueError, "hinge",
         "binary_crossentropy", "mse"),
    case("cost-lambd-negative", lambda: nb.cost(AL_GOOD, Y_NB, lambd=-1.0), ValueError, "lambd"),
    case("cost-lambd-string", lambda: nb.cost(AL_GOOD, Y_NB, lambd="0.1"), TypeError, "lambd"),
    case("cost-lambd-without-parameters", lambda: nb.cost(AL_GOOD, Y_NB, lambd=0.1), TypeError,
         "parameters"),
    case("cost-lambd-bad-parameters",
         lambda: nb.cost(AL_GOOD, Y_NB, parameters=without("W2"), lambd=0.1), ValueError,
         "parameters"),
    # backward_prop
    case("backward_prop-caches-too-short",
         lambda: nb.backward_prop(nb_forward()[0], Y_NB, nb_forward()[1][:1], ACTS), ValueError,
         "caches", "layer_activations"),
    case("backward_prop-caches-too-long",
         lambda: nb.backward_prop(nb_forward()[0], Y_NB, nb_forward()[1] * 2, ACTS), ValueError,
         "caches", "layer_activations"),
    case("backward_prop-caches-empty", lambda: nb.backward_prop(AL_GOOD, Y_NB, [], []), ValueError,
         "caches"),
    case("backward_prop-caches-None", lambda: nb.backward_prop(AL_GOOD, Y_NB, None, ACTS),
         TypeError, "caches"),
    case("backward_prop-caches-garbage", lambda: nb.backward_prop(AL_GOOD, Y_NB, [1, 2], ACTS),
         TypeError, "caches"),
    case("backward_prop-caches-reversed",
         lambda: nb.backward_prop(nb_forward()[0], Y_NB, nb_forward()[1][::-1], ACTS), ValueError,
         "caches"),
    case("backward_prop-AL-not-from-caches",
         lambda: nb.backward_prop(np.full((1, 3), 0.5), np.ones((1, 3)), nb_forward()[1], ACTS),
         ValueError, "AL", "caches"),
    case("backward_prop-Y-wrong-size",
         lambda: nb.backward_prop(nb_forward()[0], np.ones((1, M_NB - 1)), nb_forward()[1], ACTS),
         ValueError, "Y", "AL"),
    case("backward_prop-Y-nan",
         lambda: nb.backward_prop(nb_forward()[0], np.full((1, M_NB), np.nan), nb_forward()[1],
                                  ACTS), ValueError, "Y", "NaN"),
    case("backward_prop-Y-3-classes",
         lambda: nb.backward_prop(nb_forward()[0], np.arange(M_NB)[None] % 3, nb_forward()[1],
                                  ACTS), ValueError, "Y"),
    case("backward_prop-activations-wrong-length",
         lambda: nb.backward_prop(*[nb_forward()[0], Y_NB, nb_forward()[1]], ["relu"] + ACTS),
         ValueError, "layer_activations"),
    case("backward_prop-loss-unknown",
         lambda: nb.backward_prop(*[*nb_forward()[:1], Y_NB, nb_forward()[1]], ACTS, "hinge"),
         ValueError, "hinge", "mse"),
    case("backward_prop-lambd-negative",
         lambda: nb.backward_prop(*[*nb_forward()[:1], Y_NB, nb_forward()[1]], ACTS, lambd=-1),
         ValueError, "lambd"),
    # update_parameters
    case("update-grads-not-a-dict", lambda: nb.update_parameters(nb_params(), [1, 2], 0.1),
         TypeError, "grads"),
    case("update-grads-missing-dW2",
         lambda: nb.update_parameters(nb_params(), grads_with("dW2"), 0.1),
         ValueError, "grads", "dW2"),
    case("update-grads-misshaped",
         lambda: nb.update_parameters(nb_params(), grads_with("dW1", np.ones((3, 4))), 0.1),
         ValueError, "dW1", "W1"),
    case("update-grads-misshaped-adam",
         lambda: nb.update_parameters(nb_params(), grads_with("db1", np.ones((4,))),
                                      barenet.Adam()),
         ValueError, "db1"),
    case("update-grads-list",
         lambda: nb.update_parameters(nb_params(), grads_with("db2", [[0.1]]), 0.1), TypeError,
         "db2"),
    case("update-grads-nan",
         lambda: nb.update_parameters(nb_params(), grads_with("dW2", np.full((1, 4), np.nan)), 0.1),
         ValueError, "dW2", "NaN"),
    case("update-grads-strings",
         lambda: nb.update_parameters(nb_params(), grads_with("db2", np.full((1, 1), "a")), 0.1),
         TypeError, "db2"),
    case("update-parameters-list",
         lambda: nb.update_parameters(with_entry("b2", [[0.0]]), nb_grads(), 0.1), TypeError, "b2"),
    case("update-parameters-int-array",
         lambda: nb.update_parameters(with_entry("b2", np.zeros((1, 1), int)), nb_grads(), 0.1),
         TypeError, "b2"),
    case("update-parameters-missing-W2",
         lambda: nb.update_parameters(without("W2"), nb_grads(), 0.1), ValueError, "parameters"),
    case("update-optimizer-name", lambda: nb.update_parameters(nb_params(), nb_grads(), "adam"),
         TypeError, "optimizer"),
    case("update-optimizer-lr-0", lambda: nb.update_parameters(nb_params(), nb_grads(), 0),
         ValueError, "optimizer"),
    case("update-optimizer-lr-negative",
         lambda: nb.update_parameters(nb_params(), nb_grads(), -0.1),
         ValueError, "optimizer"),
    case("update-optimizer-None", lambda: nb.update_parameters(nb_params(), nb_grads(), None),
         TypeError, "optimizer"),
    case("update-optimizer-of-another-model",
         lambda: nb.update_parameters(nb_params((3, 5, 1)), nb.backward_prop(
             *nb.forward_prop(X_NB, ACTS, nb_params((3, 5, 1)))[:1], Y_NB,
             nb.forward_prop(X_NB, ACTS, nb_params((3, 5, 1)))[1], ACTS), _stepped_adam()),
         ValueError, "Adam"),
    # random_mini_batches
    case("mini_batches-Y-columns", lambda: nb.random_mini_batches(X_NB, np.ones((1, M_NB - 1))),
         ValueError, "Y", "X"),
    case("mini_batches-Y-1-D-short", lambda: nb.random_mini_batches(X_NB, np.ones(M_NB - 1)),
         ValueError, "Y", "columns"),
    case("mini_batches-X-transposed",
         lambda: nb.random_mini_batches(X_NB.T, np.ones((1, M_NB))), ValueError,
         "X looks transposed"),
    case("forward_linear-b-1-D", lambda: nb.forward_linear(np.ones((3, 2)), np.ones((2, 4)),
                                                           np.ones(3)), ValueError, "b", "(3, 1)"),
    case("forward_linear-A-rows", lambda: nb.forward_linear(np.ones((3, 2)), np.ones((4, 2)),
                                                            np.ones((3, 1))), ValueError, "A",
         "2 rows"),
    case("mini_batches-Y-ragged", lambda: nb.random_mini_batches(X_NB, [[1.0] * M_NB, [1.0]]),
         ValueError, "Y"),
    case("mini_batches-Y-nan", lambda: nb.random_mini_batches(X_NB, np.full((1, M_NB), np.nan)),
         ValueError, "Y", "NaN"),
    case("mini_batches-Y-object",
         lambda: nb.random_mini_batches(X_NB, np.ones((1, M_NB), dtype=object)), TypeError, "Y"),
    case("mini_batches-X-transposed", lambda: nb.random_mini_batches(X_NB.T, Y_NB), ValueError, "Y",
         "X"),
    *(case(f"mini_batches-X-{id}", (lambda v: lambda: nb.random_mini_batches(v, Y_NB))(value), exc,
           "X", *words)
      for id, value, exc, words in BAD_X_NB),
    case("mini_batch_size-0", lambda: nb.random_mini_batches(X_NB, Y_NB, 0), ValueError,
         "mini_batch_size", ">= 1"),
    case("mini_batch_size-float", lambda: nb.random_mini_batches(X_NB, Y_NB, 2.5), TypeError,
         "mini_batch_size", "integer"),
    case("mini_batch_size-negative", lambda: nb.random_mini_batches(X_NB, Y_NB, -4), ValueError,
         "mini_batch_size"),
    case("mini_batches-seed", lambda: nb.random_mini_batches(X_NB, Y_NB, 4, seed="s"), TypeError,
         "seed"),
    # predict
    *(case(f"predict-X-{id}", (lambda v: lambda: nb.predict(v, nb_params(), ACTS))(value), exc, "X",
           *words)
      for id, value, exc, words in BAD_X_NB),
    case("predict-X-rows", lambda: nb.predict(np.ones((5, 2)), nb_params(), ACTS), ValueError, "X",
         "W1"),
    case("predict-parameters-missing", lambda: nb.predict(X_NB, without("b1"), ACTS), ValueError,
         "parameters"),
    case("predict-activations-wrong-length", lambda: nb.predict(X_NB, nb_params(), ["sigmoid"]),
         ValueError, "layer_activations"),
    case("predict-activations-empty", lambda: nb.predict(X_NB, nb_params(), []),
         ValueError, "layer_activations"),
]


def _stepped_adam():
    """An Adam that has stepped a [3, 4, 1] network's parameters."""
    adam = barenet.Adam()
    nb.update_parameters(nb_params(), nb_grads(), adam)
    return adam


def _model(**override):
    args = dict(X=X_NB, Y=Y_NB, layer_shape=[3, 4, 1], layer_activations=ACTS, num_epochs=2,
                mini_batch_size=4, seed=0, print_cost=True)
    args.update(override)
    return lambda: nb.L_layer_model(**args)


L_LAYER_MODEL = [
    *(case(f"X-{id}", _model(X=value), exc, "X", *words) for id, value, exc, words in BAD_X_NB),
    case("X-rows-vs-layer_shape", _model(X=np.ones((5, M_NB))), ValueError, "X", "layer_shape"),
    case("X-transposed", _model(X=X_NB.T), ValueError, "X"),
    case("Y-columns", _model(Y=np.ones((1, M_NB + 2))), ValueError, "Y", "X"),
    case("Y-1-D-short", _model(Y=Y_NB[0][:-1]), ValueError, "Y", "columns"),
    case("Y-transposed", _model(Y=Y_NB.T), ValueError, "Y looks transposed"),
    case("Y-rows-vs-layer_shape", _model(Y=np.ones((2, M_NB))), ValueError, "Y", "layer_shape"),
    case("Y-nan", _model(Y=np.full((1, M_NB), np.nan)), ValueError, "Y", "NaN"),
    case("Y-strings", _model(Y=np.full((1, M_NB), "1")), TypeError, "Y"),
    case("Y-ragged", _model(Y=[[1.0] * M_NB, [0.0]]), ValueError, "Y"),
    case("Y-3-classes-into-sigmoid", _model(Y=np.arange(M_NB)[None] % 3), ValueError, "Y",
         "[0, 1]"),
    case("Y-regression-targets-into-cross-entropy", _model(Y=3 * X_NB[:1]), ValueError, "Y"),
    case("layer_shape-zero", _model(layer_shape=[3, 0, 1]), ValueError, "layer_shape[1]"),
    case("layer_shape-float", _model(layer_shape=[3, 4.0, 1]), TypeError, "layer_shape[1]"),
    case("activations-wrong-length", _model(layer_activations=["linear", "relu", "sigmoid"]),
         ValueError, "layer_activations"),
    case("activation-unknown", _model(layer_activations=["relu", "sigmoidd"]), ValueError,
         "sigmoidd", "sigmoid"),
    case("optimizer-unknown-name", _model(optimizer="adamm"), ValueError, "adamm", "adam"),
    case("optimizer-lr-0", _model(optimizer=0), ValueError, "optimizer"),
    case("optimizer-lr-negative", _model(optimizer=-0.01), ValueError, "optimizer"),
    case("optimizer-None", _model(optimizer=None), TypeError, "optimizer"),
    case("num_epochs-0", _model(num_epochs=0), ValueError, "num_epochs"),
    case("num_epochs-float", _model(num_epochs=2.5), TypeError, "num_epochs"),
    case("mini_batch_size-0", _model(mini_batch_size=0), ValueError, "mini_batch_size"),
    case("mini_batch_size-float", _model(mini_batch_size=2.5), TypeError, "mini_batch_size"),
    case("initialization-unknown", _model(initialization_method="glorot"), ValueError, "glorot",
         "he"),
    case("loss-unknown", _model(loss="hinge"), ValueError, "hinge", "mse"),
    case("lambd-negative", _model(lambd=-0.1), ValueError, "lambd"),
    case("keep_prob-0", _model(keep_prob=0.0), ValueError, "keep_prob"),
    case("keep_prob-wrong-length", _model(keep_prob=[0.9, 0.9]), ValueError, "keep_prob"),
    case("seed-negative", _model(seed=-1), ValueError, "seed"),
]


@pytest.mark.parametrize("call, exc, words", NOTEBOOK)
def test_notebook_functions_reject(call, exc, words):
    run_case(call, exc, words)


@pytest.mark.parametrize("call, exc, words", L_LAYER_MODEL)
def test_L_layer_model_rejects_before_training(call, exc, words, capsys):
    run_case(call, exc, words)
    assert capsys.readouterr().out == "", "an epoch ran (print_cost printed its cost)"


def test_L_layer_model_runs_with_the_table_s_good_arguments(capsys):
    parameters, costs = _model()()
    assert len(costs) == 4 and np.isfinite(costs).all()
    assert "cost after epoch 1" in capsys.readouterr().out


def test_rejected_update_leaves_parameters_and_optimizer_untouched():
    params, adam = nb_params(), barenet.Adam(lr=0.1)
    before = {k: v.copy() for k, v in params.items()}
    bad = grads_with("dW1", np.ones((3, 4)))
    run_case(lambda: nb.update_parameters(params, bad, adam), ValueError, ("dW1",))
    run_case(lambda: nb.update_parameters(params, grads_with("dW2", np.full((1, 4), np.inf)), adam),
             ValueError, ("dW2",))
    for key, value in before.items():
        np.testing.assert_array_equal(params[key], value)
    assert adam.t == 0


def test_forward_prop_with_dropout_rejected_does_not_touch_running_statistics():
    params = nb_params(batch_norm=True)
    before = {k: v.copy() for k, v in params.items()}
    run_case(lambda: nb.forward_prop(X_NB, ACTS, params, keep_prob=1.5), ValueError, ("keep_prob",))
    run_case(lambda: nb.forward_prop(np.ones((4, M_NB)), ACTS, params), ValueError, ("X",))
    for key, value in before.items():
        np.testing.assert_array_equal(params[key], value)


# ========================================================== gradient_check

def _gc_net(**kwargs):
    return barenet.Network([3, 4, 1], ["tanh", "sigmoid"], seed=0, dtype="float64", **kwargs)


def _gc_dict(**override):
    args = dict(model=nb_params(), X=X_NB, y=Y_NB, layer_activations=["tanh", "sigmoid"])
    args.update(override)
    return lambda: barenet.gradient_check(**args)


GRADIENT_CHECK = [
    case("model-string", lambda: barenet.gradient_check("net", X, y_binary), TypeError, "model"),
    case("model-None", lambda: barenet.gradient_check(None, X, y_binary), TypeError, "model"),
    case("network-float32", lambda: barenet.gradient_check(binary_net(), X, y_binary), ValueError,
         "float64"),
    *(case(f"epsilon-{id}", (lambda v: lambda: barenet.gradient_check(_gc_net(), X, y_binary,
                                                                       epsilon=v))(value),
           exc, "epsilon")
      for id, value, exc in [("0", 0, ValueError), ("negative", -1e-6, ValueError),
                             ("nan", float("nan"), ValueError), ("string", "1e-6", TypeError)]),
    *(case(f"network-X-{id}",
           (lambda v: lambda: barenet.gradient_check(_gc_net(), v, y_binary))(value),
           exc, "X", *words)
      for id, value, exc, words in BAD_X),
    case("network-X-features", lambda: barenet.gradient_check(_gc_net(), X[:, :2], y_binary),
         ValueError, "X", "features"),
    case("network-y-length", lambda: barenet.gradient_check(_gc_net(), X, y_binary[:-3]),
         ValueError, "y", "samples"),
    case("network-y-3-classes", lambda: barenet.gradient_check(_gc_net(), X, y_three), ValueError,
         "y", "classes"),
    case("network-y-continuous", lambda: barenet.gradient_check(_gc_net(), X, y_real), ValueError,
         "y", "continuous"),
    case("network-y-single-class", lambda: barenet.gradient_check(_gc_net(), X, np.ones(M)),
         ValueError, "y", "single class"),
    case("dict-layer_activations-missing", _gc_dict(layer_activations=None), TypeError,
         "layer_activations"),
    case("dict-layer_activations-wrong-length", _gc_dict(layer_activations=["sigmoid"]), ValueError,
         "layer_activations"),
    case("dict-activation-unknown", _gc_dict(layer_activations=["tanh", "sigmoidd"]), ValueError,
         "sigmoidd", "sigmoid"),
    *(case(f"dict-parameters-{id}", _gc_dict(model=value), exc, *words)
      for id, value, exc, words in BAD_PARAMETERS if id != "not-a-dict"),
    *(case(f"dict-X-{id}", _gc_dict(X=value), exc, "X", *words)
      for id, value, exc, words in BAD_X_NB),
    case("dict-X-rows", _gc_dict(X=np.ones((2, M_NB))), ValueError, "X", "W1"),
    case("dict-Y-columns", _gc_dict(y=np.ones((1, M_NB - 1))), ValueError, "Y"),
    case("dict-Y-rows", _gc_dict(y=np.ones((2, M_NB))), ValueError, "Y"),
    case("dict-Y-nan", _gc_dict(y=np.full((1, M_NB), np.nan)), ValueError, "Y", "NaN"),
    case("dict-Y-inf", _gc_dict(y=np.full((1, M_NB), np.inf)), ValueError, "Y"),
    case("dict-Y-strings", _gc_dict(y=np.full((1, M_NB), "a")), TypeError, "Y"),
    case("dict-Y-ragged", _gc_dict(y=[[1.0] * M_NB, [0.0]]), ValueError, "Y"),
    case("dict-Y-object", _gc_dict(y=np.ones((1, M_NB), dtype=object)), TypeError, "Y"),
    case("dict-Y-3-classes", _gc_dict(y=np.arange(M_NB)[None] % 3), ValueError, "Y", "[0, 1]"),
    case("dict-loss-unknown", _gc_dict(loss="hinge"), ValueError, "hinge", "mse"),
    case("dict-lambd-negative", _gc_dict(lambd=-1.0), ValueError, "lambd"),
    case("dict-keep_prob-0", _gc_dict(keep_prob=0.0), ValueError, "keep_prob"),
    case("dict-keep_prob-2", _gc_dict(keep_prob=2.0), ValueError, "keep_prob"),
    case("dict-seed-None", _gc_dict(seed=None), TypeError, "seed"),
    case("dict-seed-float", _gc_dict(seed=1.5), TypeError, "seed"),
    case("dict-seed-negative", _gc_dict(seed=-1, keep_prob=0.5), ValueError, "seed"),
]


@pytest.mark.parametrize("call, exc, words", GRADIENT_CHECK)
def test_gradient_check_rejects(call, exc, words):
    run_case(call, exc, words)


# ================================================================= datasets

def write(path, content):
    path = Path(path)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return path


GOOD_CSV = "a,b,label\n" + "".join(f"{i},{i % 3},{i % 2}\n" for i in range(12))


def _npz(**arrays):
    def make(path):
        with open(path, "wb") as f:  # np.savez(path) would add ".npz" to a .csv name
            np.savez(f, **arrays)
        return path
    return make


def _csv(text):
    return lambda path: write(path, text)


def _bytes(data):
    return lambda path: write(path, data)


def _truncated_npz(path):
    np.savez(path, X=np.ones((10, 2)), y=np.arange(10) % 2)
    data = path.read_bytes()
    return write(path, data[: len(data) // 2])


def _corrupted_npz(path):
    """An .npz whose zip structure is intact but whose X member's bytes are damaged."""
    np.savez(path, X=np.arange(200.0).reshape(100, 2), y=np.arange(100) % 2)
    data = bytearray(path.read_bytes())
    start = data.find(b"\x93NUMPY") + 200
    data[start:start + 8] = b"\xff" * 8
    return write(path, bytes(data))


def _npy_named_npz(path):
    with open(path, "wb") as f:
        np.save(f, np.ones((4, 2)))
    return path


DATA_FILES = [
    # (id, suffix, maker, exception, words)
    ("missing", ".csv", None, FileNotFoundError, ("does not exist",)),
    ("missing", ".npz", None, FileNotFoundError, ("does not exist",)),
    ("directory", ".csv", lambda path: path.mkdir(), ValueError, ("directory",)),
    ("empty", ".csv", _bytes(b""), ValueError, ("empty",)),
    ("blank-lines", ".csv", _csv("\n\n  \n"), ValueError, ("empty",)),
    ("header-only", ".csv", _csv("a,b,label\n"), ValueError, ("no data rows",)),
    ("ragged", ".csv", _csv("1,2,0\n3,4,1\n5,1\n7,8,0\n"), ValueError, ("line 3", "columns")),
    ("truncated", ".csv", _csv(GOOD_CSV[:-4]), ValueError, ("columns",)),
    ("nan-cell", ".csv", _csv("1,2,0\nnan,4,1\n5,6,0\n7,8,1\n"), ValueError, ("line 2", "finite")),
    ("inf-cell", ".csv", _csv("1,2,0\n3,-inf,1\n5,6,0\n7,8,1\n"), ValueError, ("finite",)),
    ("text-cell", ".csv", _csv("1,2,0\n3,x,1\n5,6,0\n7,8,1\n"), ValueError, ("line 2", "number")),
    ("empty-cell", ".csv", _csv("1,2,0\n3,,1\n5,6,0\n7,8,1\n"), ValueError, ("empty",)),
    ("empty-label", ".csv", _csv("1,2,0\n3,4,\n5,6,0\n7,8,1\n"), ValueError, ("label",)),
    ("one-column", ".csv", _csv("1\n2\n3\n"), ValueError, ("column",)),
    ("one-sample", ".csv", _csv("1,2,0\n"), ValueError, ("sample",)),
    ("binary", ".csv", _bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00"), ValueError, ("UTF-8",)),
    ("npz-as-csv", ".csv", _npz(X=np.ones((4, 2)), y=np.arange(4) % 2), ValueError, ()),
    ("empty", ".npz", _bytes(b""), ValueError, ("npz",)),
    ("truncated", ".npz", _truncated_npz, ValueError, ()),
    ("corrupted", ".npz", _corrupted_npz, ValueError, ("X",)),
    ("text", ".npz", _csv(GOOD_CSV), ValueError, ("npz",)),
    ("npy", ".npz", _npy_named_npz, ValueError, (".npy",)),
    ("no-arrays", ".npz", _npz(), ValueError, ("X", "y")),
    ("other-arrays", ".npz", _npz(features=np.ones((4, 2))), ValueError, ("X", "y", "features")),
    ("object-X", ".npz", _npz(X=np.array([[1, "a"]] * 4, dtype=object), y=np.arange(4) % 2),
     ValueError, ("X",)),
    ("1-D-X", ".npz", _npz(X=np.ones(4), y=np.arange(4) % 2), ValueError, ("X",)),
    ("string-X", ".npz", _npz(X=np.full((4, 2), "a"), y=np.arange(4) % 2), ValueError, ("X",)),
    ("empty-X", ".npz", _npz(X=np.empty((0, 2)), y=np.empty(0)), ValueError, ("X",)),
    ("nan-X", ".npz", _npz(X=np.full((4, 2), np.nan), y=np.arange(4) % 2), ValueError,
     ("X", "NaN")),
    ("X-y-lengths", ".npz", _npz(X=np.ones((4, 2)), y=np.arange(5) % 2), ValueError,
     ("X", "y", "4", "5")),
    ("3-D-y", ".npz", _npz(X=np.ones((4, 2)), y=np.ones((4, 2, 2))), ValueError, ("y",)),
    ("split-feature-counts", ".npz",
     _npz(X_train=np.ones((4, 2)), y_train=np.arange(4) % 2, X_test=np.ones((2, 3)),
          y_test=np.arange(2)), ValueError, ("X_train", "X_test")),
]


@pytest.mark.parametrize("loader", ["load", "by-suffix"])
@pytest.mark.parametrize("id, suffix, make, exc, words",
                         [pytest.param(*row, id=f"{row[0]}{row[1]}") for row in DATA_FILES])
def test_data_files_rejected(id, suffix, make, exc, words, loader, tmp_path):
    path = tmp_path / f"data{suffix}"
    if make is not None:
        make(path)
    load = datasets.load if loader == "load" else datasets.FILE_LOADERS[suffix]
    info = run_case(lambda: load(path), exc, words)
    assert str(path) in str(info.value), "the message names the file"


def _mnist_dir(tmp_path, files):
    for name, data in files.items():
        write(tmp_path / name, data)
    return tmp_path


def _idx(dims, dtype_code=0x08, payload=None):
    header = bytes([0, 0, dtype_code, len(dims)]) + b"".join(d.to_bytes(4, "big") for d in dims)
    return header + (payload if payload is not None else bytes(int(np.prod(dims))))


DATASETS = [
    case("load-unknown-name", lambda tmp: datasets.load("moon"), ValueError, "moon", "moons",
         "spirals", ".csv"),
    case("load-int", lambda tmp: datasets.load(5), TypeError, "spec"),
    case("load-None", lambda tmp: datasets.load(None), TypeError, "spec"),
    case("load-test_size-0", lambda tmp: datasets.load("moons", test_size=0), ValueError,
         "test_size"),
    case("load-test_size-1", lambda tmp: datasets.load("moons", test_size=1.0), ValueError,
         "test_size"),
    case("load-seed", lambda tmp: datasets.load("moons", seed=-1), ValueError, "seed"),
    case("make_moons-n_samples-0", lambda tmp: datasets.make_moons(n_samples=0), ValueError,
         "n_samples"),
    case("make_moons-n_samples-float", lambda tmp: datasets.make_moons(n_samples=2.5), TypeError,
         "n_samples"),
    case("make_moons-noise-negative", lambda tmp: datasets.make_moons(noise=-0.1), ValueError,
         "noise"),
    case("make_moons-noise-nan", lambda tmp: datasets.make_moons(noise=float("nan")), ValueError,
         "noise"),
    case("make_moons-test_size", lambda tmp: datasets.make_moons(test_size=1.5), ValueError,
         "test_size"),
    case("make_circles-factor", lambda tmp: datasets.make_circles(factor=1.5), ValueError,
         "factor"),
    case("make_flower-petals", lambda tmp: datasets.make_flower(petals=0), ValueError, "petals"),
    case("make_spirals-one-class", lambda tmp: datasets.make_spirals(n_classes=1), ValueError,
         "n_classes"),
    case("make_blobs-n_features-0", lambda tmp: datasets.make_blobs(n_features=0), ValueError,
         "n_features"),
    case("make_blobs-spread-negative", lambda tmp: datasets.make_blobs(spread=-1.0), ValueError,
         "spread"),
    case("load_csv-path-int", lambda tmp: datasets.load_csv(5), TypeError, "path"),
    case("load_csv-label_column-out-of-range",
         lambda tmp: datasets.load_csv(write(tmp / "d.csv", GOOD_CSV), label_column=7),
         ValueError, "label_column"),
    case("load_csv-label_column-unknown-name",
         lambda tmp: datasets.load_csv(write(tmp / "d.csv", GOOD_CSV), label_column="species"),
         ValueError, "species"),
    case("load_csv-label_column-float",
         lambda tmp: datasets.load_csv(write(tmp / "d.csv", GOOD_CSV), label_column=1.0),
         TypeError, "label_column"),
    case("load_csv-delimiter", lambda tmp: datasets.load_csv(write(tmp / "d.csv", GOOD_CSV),
                                                         delimiter=";;"), ValueError, "delimiter"),
    case("load_csv-header", lambda tmp: datasets.load_csv(write(tmp / "d.csv", GOOD_CSV),
                                                      header="yes"), ValueError, "header"),
    case("load_sklearn-unknown", lambda tmp: datasets.load_sklearn("digit"), ValueError, "digit",
         "digits"),
    case("read_idx-missing", lambda tmp: datasets.read_idx(tmp / "none-idx3-ubyte"),
         FileNotFoundError, "does not exist"),
    case("read_idx-empty", lambda tmp: datasets.read_idx(write(tmp / "e", b"")), ValueError, "IDX"),
    case("read_idx-truncated",
         lambda tmp: datasets.read_idx(write(tmp / "t", _idx([10, 2, 2])[:-5])), ValueError,
         "truncated"),
    case("read_idx-bad-magic", lambda tmp: datasets.read_idx(write(tmp / "m", b"\x01\x02\x08\x01" +
                                                               bytes(8))), ValueError, "magic"),
    case("read_idx-bad-type",
         lambda tmp: datasets.read_idx(write(tmp / "ty", _idx([2], dtype_code=0x07))), ValueError,
         "type"),
    case("read_idx-truncated-gzip",
         lambda tmp: datasets.read_idx(write(tmp / "g.gz", b"\x1f\x8b\x08\x00" + bytes(6))),
         ValueError, "gzip"),
    case("load_mnist-missing-dir",
         lambda tmp: datasets.load_mnist(path=tmp / "nowhere", download=False), FileNotFoundError,
         "nowhere"),
    case("load_mnist-empty-dir", lambda tmp: datasets.load_mnist(path=tmp, download=False),
         FileNotFoundError, "train-images-idx3-ubyte"),
    case("load_mnist-kind", lambda tmp: datasets.load_mnist(kind="kmnist", download=False),
         ValueError,
         "kind", "mnist"),
    case("load_mnist-download-string", lambda tmp: datasets.load_mnist(download="no"), TypeError,
         "download"),
    case("load_mnist-mismatched-files",
         lambda tmp: datasets.load_mnist(path=_mnist_dir(tmp, {
             "train-images-idx3-ubyte": _idx([3, 2, 2]),
             "train-labels-idx1-ubyte": _idx([4]),
             "t10k-images-idx3-ubyte": _idx([2, 2, 2]),
             "t10k-labels-idx1-ubyte": _idx([2])}), download=False, verify=False),
         ValueError, "3", "4"),
]

@pytest.mark.parametrize("call, exc, words", DATASETS)
def test_datasets_reject(call, exc, words, tmp_path):
    """Each call takes the test's tmp_path, for the files it writes."""
    run_case(lambda: call(tmp_path), exc, words)


# =========================================================== barenet.load

@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A saved fitted model (with batch normalization) and a checkpoint."""
    directory = tmp_path_factory.mktemp("models")
    net = binary_net(batch_norm=True)
    net.fit(X, y_binary, epochs=1)
    model = directory / "model.npz"
    net.save(model)
    checkpoint = directory / "checkpoint.npz"
    interrupted().save(checkpoint, training_state=True)
    return {"model": model, "checkpoint": checkpoint}


def read_model(path):
    with np.load(path, allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in npz.files}
    metadata = json.loads(arrays.pop("metadata").tobytes().decode("utf-8"))
    return arrays, metadata


def write_model(path, arrays, metadata):
    if metadata is not None:
        arrays = dict(arrays, metadata=np.frombuffer(json.dumps(metadata).encode(), np.uint8))
    np.savez(path, **arrays)
    return path


def _set(path_in_metadata, value):
    def change(arrays, md):
        target = md
        for key in path_in_metadata[:-1]:
            target = target[key]
        target[path_in_metadata[-1]] = value
    return change


def _drop(key, where="metadata"):
    def change(arrays, md):
        (md if where == "metadata" else arrays).pop(key)
    return change


def _array(key, fn):
    def change(arrays, md):
        arrays[key] = fn(arrays[key])
    return change


def _metadata_bytes(data):
    def change(arrays, md):
        md.clear()
        md["__raw__"] = data
    return change


ALTERED = [
    # (id, base file, change, words)
    ("format-version-unknown", "model", _set(["format_version"], 99),
     ("format version", "99", "reads versions 1 and 2")),
    ("format-version-1-says-standardize", "model", _set(["standardize"], True),
     ("damaged", "format version 1", "standardize")),
    ("format-version-1-holds-a-scaler", "model",
     lambda arrays, md: arrays.update({"scaler.mean": np.zeros(3), "scaler.scale": np.ones(3)}),
     ("damaged", "format version 1", "scaler.mean")),
    ("format-version-2-without-standardize", "model", _set(["format_version"], 2),
     ("format version 2", "standardize")),
    ("format-version-string", "model", _set(["format_version"], "1"), ("format version",)),
    ("format-version-missing", "model", _drop("format_version"), ("format version",)),
    ("format-name", "model", _set(["format"], "keras.model"), ("format",)),
    ("metadata-not-json", "model", _metadata_bytes(b"{not json"), ("JSON",)),
    ("metadata-not-utf8", "model", _metadata_bytes(b"\xff\xfe"), ("JSON",)),
    ("metadata-a-list", "model", _metadata_bytes(b"[1, 2]"), ("format",)),
    ("metadata-floats", "model", _metadata_bytes(np.zeros(3)), ("metadata",)),
    ("no-metadata", "model", _metadata_bytes(None), ("metadata",)),
    ("no-parameters", "model", _drop("parameters", "arrays"), ("parameters",)),
    ("parameters-short", "model", _array("parameters", lambda p: p[:-1]), ("parameters",)),
    ("parameters-long", "model", _array("parameters", lambda p: np.r_[p, p[:3]]), ("parameters",)),
    ("parameters-2-D", "model", _array("parameters", lambda p: p[None]), ("parameters",)),
    ("parameters-float64", "model", _array("parameters", lambda p: p.astype(np.float64)),
     ("parameters", "float32")),
    ("parameters-strings", "model", _array("parameters", lambda p: p.astype(str)),
     ("parameters",)),
    ("parameters-nan", "model", _array("parameters", lambda p: np.full_like(p, np.nan)),
     ("parameters", "NaN")),
    ("parameters-inf", "model", _array("parameters", lambda p: np.where(p == p[0], np.inf, p)),
     ("parameters",)),
    ("layer_sizes-contradict", "model", _set(["layer_sizes"], [3, 5, 1]),
     ("parameters", "layer sizes")),
    ("layer_sizes-zero", "model", _set(["layer_sizes"], [3, 0, 1]), ("layer_sizes",)),
    ("layer_sizes-string", "model", _set(["layer_sizes"], "341"), ("layer_sizes",)),
    ("layer_sizes-huge", "model", _set(["layer_sizes"], [3, 10**12, 1]), ("parameters",)),
    ("layer_sizes-missing", "model", _drop("layer_sizes"), ("layer_sizes",)),
    ("batch_norm-wrong-length", "model", _set(["batch_norm"], [True, True]), ("batch_norm",)),
    ("batch_norm-contradicts-parameters", "model", _set(["batch_norm"], [False]),
     ("parameters",)),
    ("activation-unknown", "model", _set(["activations", 0, "name"], "relux"),
     ("metadata", "relux")),
    ("activations-missing", "model", _drop("activations"), ("activations",)),
    ("activations-too-few", "model", _set(["activations"], [{"name": "sigmoid"}]),
     ("activations",)),
    ("activations-strings", "model", _set(["activations"], ["relu", "sigmoid"]), ("metadata",)),
    ("activation-bad-config", "model", _set(["activations", 0], {"name": "leaky_relu",
                                                                 "slope": "x"}), ("slope",)),
    ("loss-unknown", "model", _set(["loss"], "hinge"), ("hinge",)),
    ("loss-contradicts-classes", "model", _set(["loss"], "mse"), ("loss", "class labels")),
    ("dtype-contradicts", "model", _set(["dtype"], "float64"), ("parameters", "float64")),
    ("dtype-unknown", "model", _set(["dtype"], "float16"), ("dtype",)),
    ("dropout-1.5", "model", _set(["dropout"], [1.5]), ("dropout",)),
    ("l2-negative", "model", _set(["l2"], -1), ("l2",)),
    ("bn_eps-0", "model", _set(["bn_eps"], 0), ("bn_eps",)),
    ("state-short", "model", _array("state", lambda s: s[:-1]), ("batch-normalization state",)),
    ("state-negative-variance", "model", _array("state", lambda s: -np.abs(s) - 1),
     ("variance",)),
    ("state-nan", "model", _array("state", lambda s: np.full_like(s, np.nan)), ("statistics",)),
    ("classes-three", "model", _array("classes", lambda c: np.arange(3)), ("class labels",)),
    ("classes-unsorted", "model", _array("classes", lambda c: c[::-1]), ("class labels",)),
    ("classes-2-D", "model", _array("classes", lambda c: c[None]), ("class labels",)),
    ("classes-object", "model", _array("classes", lambda c: c.astype(object)), ("readable",)),
    ("history-malformed", "model", _set(["history"], {"loss": "low"}), ("history",)),
    ("init-malformed", "model", _set(["init"], 5), ("init",)),
    ("run-epoch-beyond-epochs", "checkpoint", _set(["run", "epoch"], 99), ("training state",)),
    ("run-optimizer-unknown", "checkpoint", _set(["run", "optimizer", "name"], "sgdx"),
     ("training state",)),
    ("run-optimizer-lr-negative", "checkpoint", _set(["run", "optimizer", "lr"], -1.0),
     ("training state", "lr")),
    ("run-optimizer-array-missing", "checkpoint", _drop("optimizer.m_sums.0", "arrays"),
     ("training state",)),
    ("run-optimizer-arrays-misshaped", "checkpoint",
     lambda arrays, md: [arrays.update({k: arrays[k][:-1]}) for k in ("optimizer.m_sums.0",
                                                                       "optimizer.v_sums.0")],
     ("optimizer state",)),
    ("run-optimizer-arrays-inconsistent", "checkpoint",
     _array("optimizer.m_sums.0", lambda a: a[:-1]), ("training state", "optimizer")),
    ("run-random-state", "checkpoint", _set(["run", "random_state"], {"bit_generator": "MT"}),
     ("training state",)),
    ("run-schedule-unknown", "checkpoint", _set(["run", "schedule"], {"name": "warmup"}),
     ("training state",)),
    ("run-batch_size-0", "checkpoint", _set(["run", "batch_size"], 0), ("batch_size",)),
    ("run-epochs-string", "checkpoint", _set(["run", "epochs"], "3"), ("training state",)),
    ("run-validation_split-2", "checkpoint", _set(["run", "validation_split"], 2.0),
     ("validation_split",)),
]

_LOAD_GAPS = {}


@pytest.mark.parametrize("base, change, words", [
    pytest.param(base, change, words, id=id,
                 marks=[pytest.mark.xfail(strict=True, reason=_LOAD_GAPS[id])]
                 if id in _LOAD_GAPS else [])
    for id, base, change, words in ALTERED
])
def test_load_rejects_an_altered_model(base, change, words, saved, tmp_path):
    arrays, metadata = read_model(saved[base])
    change(arrays, metadata)
    path = tmp_path / "altered.npz"
    if "__raw__" in metadata:
        raw = metadata["__raw__"]
        if raw is not None:
            arrays["metadata"] = (raw if isinstance(raw, np.ndarray)
                                  else np.frombuffer(raw, np.uint8))
        write_model(path, arrays, None)
    else:
        write_model(path, arrays, metadata)
    info = run_case(lambda: barenet.load(path), ModelFileError, words)
    assert str(path) in str(info.value), "the message names the file"


def test_the_unaltered_files_load(saved, tmp_path):
    """The altered files above differ from loadable ones only by their change."""
    for name, path in saved.items():
        copy = write_model(tmp_path / f"{name}.npz", *read_model(path))
        assert barenet.load(copy).layer_sizes == (3, 4, 1)


def _zip_of_text(path):
    import zipfile

    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "hello")
    return path


MODEL_FILES = [
    ("missing", None, FileNotFoundError, ("no model file",)),
    ("directory", lambda p: p.mkdir() or p, ModelFileError, ("not a file",)),
    ("empty", _bytes(b""), ModelFileError, ("not a barenet model file",)),
    ("text", _csv(GOOD_CSV), ModelFileError, ("not a barenet model file",)),
    ("npy", _npy_named_npz, ModelFileError, ("not a barenet model file",)),
    ("truncated", "truncate", ModelFileError, ("readable",)),
    ("corrupted", "corrupt", ModelFileError, ("readable",)),
    ("zip-of-text", _zip_of_text, ModelFileError, ()),
    ("data-set-npz", _npz(X=np.ones((4, 2)), y=np.arange(4) % 2), ModelFileError,
     ("not a barenet model file",)),
]


@pytest.mark.parametrize("id, make, exc, words", [pytest.param(*r, id=r[0]) for r in MODEL_FILES])
def test_load_rejects_files_that_are_not_models(id, make, exc, words, saved, tmp_path):
    path = tmp_path / "model.npz"
    if make == "truncate":
        data = saved["model"].read_bytes()
        write(path, data[: len(data) * 2 // 3])
    elif make == "corrupt":
        data = bytearray(saved["model"].read_bytes())
        start = data.find(b"\x93NUMPY") + 150
        data[start:start + 16] = b"\x00" * 16
        write(path, bytes(data))
    elif make is not None:
        make(path)
    info = run_case(lambda: barenet.load(path), exc, words)
    assert str(path) in str(info.value)


def test_load_rejects_a_path_of_the_wrong_type():
    run_case(lambda: barenet.load(None), TypeError, ("path",))


# ==================================================================== the CLI

def run_cli(argv, capsys, monkeypatch):
    monkeypatch.delenv("BARENET_DEBUG", raising=False)
    try:
        code = cli.main([str(a) for a in argv])
    except SystemExit as exit:
        code = exit.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def files(tmp_path, saved):
    """Files the command-line cases refer to by name."""
    made = {
        "model": saved["model"],
        "empty.npz": write(tmp_path / "empty.npz", b""),
        "text.npz": write(tmp_path / "text.npz", GOOD_CSV),
        "altered.npz": write_model(tmp_path / "altered.npz", read_model(saved["model"])[0],
                                   {**read_model(saved["model"])[1], "format_version": 9}),
        "empty.csv": write(tmp_path / "empty.csv", ""),
        "nan.csv": write(tmp_path / "nan.csv", "1,2,3\nnan,1,2\n"),
        "features4.csv": write(tmp_path / "features4.csv", "1,2,3,4\n5,6,7,8\n"),
        "ragged.csv": write(tmp_path / "ragged.csv", "1,2,3\n4,5\n"),
        "text.csv": write(tmp_path / "text.csv", "1,2,3\n4,x,6\n"),
        "noX.npz": write_model(tmp_path / "noX.npz", {"features": np.ones((2, 3))}, None),
        "X1d.npz": write_model(tmp_path / "X1d.npz", {"X": np.ones(3)}, None),
        "single-class.csv": write(tmp_path / "single-class.csv",
                                  "".join(f"{i},{i * 2},7\n" for i in range(12))),
        "ragged-train.csv": write(tmp_path / "ragged-train.csv", "1,2,0\n3,4,1\n5,0\n6,7,1\n"),
        "nan-train.csv": write(tmp_path / "nan-train.csv", "1,2,0\n3,nan,1\n5,6,0\n6,7,1\n"),
    }
    return {name: str(path) for name, path in made.items()}


CLI = [
    # (id, argv with {file} names from the files fixture, a word of the one stderr line)
    ("lr-0", ["train", "--lr", "0"], "--lr"),
    ("lr-negative", ["train", "--lr", "-0.1"], "--lr"),
    ("lr-nan", ["train", "--lr", "nan"], "--lr"),
    ("lr-text", ["compare", "--lr", "fast"], "--lr"),
    ("epochs-0", ["train", "--epochs", "0"], "--epochs"),
    ("epochs-float", ["train", "--epochs", "2.5"], "--epochs"),
    ("batch-size-0", ["train", "--batch-size", "0"], "--batch-size"),
    ("batch-size-float", ["compare", "--batch-size", "2.5"], "--batch-size"),
    ("dropout-1", ["train", "--dropout", "1"], "--dropout"),
    ("dropout-negative", ["train", "--dropout", "-0.5"], "--dropout"),
    ("l2-negative", ["train", "--l2", "-1"], "--l2"),
    ("layers-0", ["train", "--layers", "4,0"], "--layers"),
    ("layers-text", ["train", "--layers", "4,x"], "--layers"),
    ("seed-negative", ["train", "--seed", "-1"], "--seed"),
    ("init-unknown", ["train", "--init", "glorot"], "--init"),
    ("optimizer-unknown", ["train", "--optimizer", "sgd"], "--optimizer"),
    ("schedule-unknown", ["train", "--schedule", "warmup"], "--schedule"),
    ("dtype-unknown", ["train", "--dtype", "float16"], "--dtype"),
    ("early-stopping-negative", ["train", "--early-stopping", "-1"], "--early-stopping"),
    ("command-unknown", ["fit"], "fit"),
    ("activation-unknown", ["train", "--activations", "relux"], "relux"),
    ("activations-count", ["train", "--layers", "4", "--activations", "relu,tanh"],
     "--activations"),
    ("data-unknown", ["train", "--data", "moon"], "moon"),
    ("data-missing-csv", ["train", "--data", "nowhere.csv"], "nowhere.csv"),
    ("data-empty-csv", ["train", "--data", "{empty.csv}"], "empty"),
    ("data-ragged-csv", ["train", "--data", "{ragged-train.csv}"], "columns"),
    ("data-nan-csv", ["train", "--data", "{nan-train.csv}"], "finite"),
    ("data-empty-npz", ["compare", "--data", "{empty.npz}"], "npz"),
    ("data-single-class", ["train", "--data", "{single-class.csv}"], "single class"),
    ("predict-model-missing", ["predict", "nowhere.npz", "moons"], "nowhere.npz"),
    ("predict-model-empty", ["predict", "{empty.npz}", "moons"], "empty.npz"),
    ("predict-model-text", ["predict", "{text.npz}", "moons"], "text.npz"),
    ("predict-model-altered", ["predict", "{altered.npz}", "moons"], "format version"),
    ("predict-data-missing", ["predict", "{model}", "nowhere.csv"], "nowhere.csv"),
    ("predict-data-empty", ["predict", "{model}", "{empty.csv}"], "no rows"),
    ("predict-data-nan", ["predict", "{model}", "{nan.csv}"], "not a finite number"),
    ("predict-data-features", ["predict", "{model}", "{features4.csv}"], "features"),
    ("predict-data-ragged", ["predict", "{model}", "{ragged.csv}"], "columns"),
    ("predict-data-text", ["predict", "{model}", "{text.csv}"], "number"),
    ("predict-data-npz-without-X", ["predict", "{model}", "{noX.npz}"], "X"),
    ("predict-data-npz-1-D", ["predict", "{model}", "{X1d.npz}"], "shape"),
    ("predict-data-set-features", ["predict", "{model}", "spirals"], "features"),
    ("predict-data-unknown", ["predict", "{model}", "moon"], "moon"),
    ("predict-missing-argument", ["predict", "{model}"], "DATA"),
    ("export-model-missing", ["export", "nowhere.npz", "out.onnx"], "nowhere.npz"),
    ("export-model-altered", ["export", "{altered.npz}", "out.onnx"], "format version"),
    ("export-opset-0", ["export", "{model}", "out.onnx", "--opset", "0"], "--opset"),
]

_CLI_GAPS = {}


@pytest.mark.parametrize("argv, word", [
    pytest.param(argv, word, id=id,
                 marks=[pytest.mark.xfail(strict=True, reason=_CLI_GAPS[id])]
                 if id in _CLI_GAPS else [])
    for id, argv, word in CLI
])
def test_cli_bad_input_is_one_line_and_a_failure_status(argv, word, files, capsys, monkeypatch,
                                                        tmp_path):
    monkeypatch.chdir(tmp_path)
    argv = [files[a[1:-1]] if a.startswith("{") else a for a in argv]
    code, out, err = run_cli(argv, capsys, monkeypatch)
    assert code not in (0, None), f"exit status {code}; stdout {out!r}"
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, f"stderr is not one line: {err!r}"
    assert word in lines[0], f"{word!r} not in {lines[0]!r}"
    assert not (tmp_path / "barenet-out").exists(), "a rejected command wrote its outputs"


def test_inputs_too_large_for_the_dtype_are_named_not_cast_to_infinity():
    big = np.full((2, 3), 1e200)
    for call in (lambda: fitted("binary").predict(big), lambda: binary_net().fit(big, [0, 1])):
        info = run_case(call, ValueError, ("X", "float32"))
        assert "NaN" not in str(info.value)
    assert fitted("binary").forward(np.full((2, 3), 1e30)).shape == (2, 1)  # within float32


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_finite_check_sees_every_value_in_any_layout(dtype):
    from barenet._checks import check_matrix
    big = np.finfo(dtype).max / 4  # finite, but its square overflows: min and max decide
    for layout in (lambda a: a, np.asfortranarray, lambda a: a[:, ::2]):
        for bad in (np.nan, np.inf, -np.inf):
            for fill in (1.0, big):
                X = np.full((6, 8), fill, dtype)
                assert check_matrix("X", layout(X)) is not None
                X[3, 4] = bad
                with pytest.raises(ValueError, match="X contains NaN or infinity"):
                    check_matrix("X", layout(X))


def test_labels_in_object_arrays_are_unboxed():
    """A pandas Series of strings reaches fit as an object array: strings
    alone and numbers alone are labels like any other; a mix, a None or an
    integer beyond 64 bits is refused, naming y."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    text = np.where(X[:, 0] > 0, "pos", "neg")
    by_str = barenet.Network([3, 4, 1], ["relu", "sigmoid"], seed=0)
    by_str.fit(X, text, epochs=2)
    by_obj = barenet.Network([3, 4, 1], ["relu", "sigmoid"], seed=0)
    by_obj.fit(X, text.astype(object), epochs=2)
    assert by_obj.classes_.tolist() == ["neg", "pos"]
    assert all(np.array_equal(a, b) for a, b in zip(by_obj.flat.snapshot(), by_str.flat.snapshot()))
    numbers = barenet.Network([3, 4, 1], ["relu", "sigmoid"], seed=0)
    numbers.fit(X, (X[:, 0] > 0).astype(int).astype(object), epochs=2)
    assert numbers.classes_.dtype.kind == "i" and numbers.classes_.tolist() == [0, 1]
    for y, exc, words in [([1, "a"] * 20, TypeError, "y must hold numbers .* type int, str"),
                          ([None, "a"] * 20, ValueError, r"y has missing values \(None\)"),
                          ([10**30, 1] * 20, TypeError, "y must hold numbers .*64 bits")]:
        net = barenet.Network([3, 4, 1], ["relu", "sigmoid"], seed=0)
        with pytest.raises(exc, match=words):
            net.fit(X, np.array(y, dtype=object), epochs=1)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_outputs_that_overflow_are_an_error_not_nan(dtype):
    """Finite inputs whose products overflow the network's dtype: a
    ValueError naming X and the rows, no RuntimeWarning, never nan labels."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 3))
    net = barenet.Network([3, 8, 3], ["relu", "softmax"], seed=0, dtype=dtype)
    net.fit(X, np.arange(30) % 3, epochs=2)
    big = np.vstack([X[:2], np.full((2, 3), np.finfo(dtype).max / 2)])
    big[3] *= -1
    for call in (net.forward, net.predict, net.predict_proba, lambda A: net.evaluate(A, [0] * 4)):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with pytest.raises(ValueError, match=r"(X: the outputs are not finite for 2 of its 4 "
                                                 r"rows \(the first is row 2\)|X, y: the loss is)"
                                                 f".*{dtype} arithmetic overflowed"):
                call(big)
    assert np.isfinite(net.predict_proba(X)).all()  # ordinary inputs are untouched
    reg = barenet.Network([3, 8, 1], ["relu", "linear"], seed=0, dtype=dtype)
    reg.fit(X, X[:, 0], epochs=2)
    huge = np.full((2, 3), np.sqrt(np.finfo(dtype).max))  # finite outputs, their square is not
    outputs = reg.forward(huge)
    if np.isfinite(outputs).all() and (np.abs(outputs) > np.sqrt(np.finfo(dtype).max)).any():
        with pytest.raises(ValueError, match="X, y: the loss is inf"):
            reg.evaluate(huge, [0.0, 0.0])


def test_a_class_given_for_an_object_says_so():
    X, y = np.zeros((4, 2)), [0, 1, 0, 1]
    net = barenet.Network([2, 3, 1], ["relu", "sigmoid"], seed=0)
    with pytest.raises(TypeError, match=r"optimizer Adam is a class: give an object of it, Adam\(\)"):
        net.fit(X, y, optimizer=barenet.Adam)
    with pytest.raises(TypeError, match=r"activation ReLU is a class: .*ReLU\(\)"):
        barenet.Network([2, 3, 1], [activations.ReLU, "sigmoid"])


def test_outputs_that_overflow_on_torch_are_the_same_error():
    torch = pytest.importorskip("torch")
    X = torch.randn(30, 3, dtype=torch.float32, generator=torch.Generator().manual_seed(0))
    net = barenet.Network([3, 8, 3], ["relu", "softmax"], seed=0)
    net.fit(X, np.arange(30) % 3, epochs=2)
    big = torch.cat([X[:1], torch.full((1, 3), 3e38)])
    with pytest.raises(ValueError, match=r"X: the outputs are not finite for 1 of its 2 rows "
                                         r"\(the first is row 1\): the network's float32"):
        net.predict(big)
    with pytest.raises(ValueError, match="X, y: the loss is nan: the network's float32"):
        net.evaluate(big, [0, 1])


def test_outputs_that_overflow_on_array_api_strict_are_the_same_error():
    xp = pytest.importorskip("array_api_strict")
    X = np.random.default_rng(0).normal(size=(30, 3)).astype(np.float32)
    net = barenet.Network([3, 8, 3], ["relu", "softmax"], seed=0)
    net.fit(xp.asarray(X), np.arange(30) % 3, epochs=2)
    big = xp.asarray(np.vstack([X[:1], np.full((1, 3), 3e38, dtype=np.float32)]))
    with pytest.raises(ValueError, match=r"X: the outputs are not finite for 1 of its 2 rows "
                                         r"\(the first is row 1\)"):
        net.predict(big)

"""The golden results: what barenet computes, recorded once, checked bit for bit.

This file holds the configurations of the golden test
(``tests/test_golden.py``) and the function that computes the results of one
of them (:func:`compute`); run as a script it records them all into
``golden.npz`` beside it, or checks them against that file::

    python tests/golden/record.py --check        # compare with golden.npz
    python tests/golden/record.py --check NAME   # only these configurations
    python tests/golden/record.py --list         # the configurations
    python tests/golden/record.py --write        # RE-RECORD (see below)

What is recorded. Each configuration is a short, seeded training run (or a
few steps) on a small generated data set:

- ``barenet.Network`` fits (``net_*``): every activation, loss and optimizer
  rule, clipping, L2, dropout, batch normalization, every schedule, float32
  and float64, sample and class weights, validation split and data,
  standardization, full and ragged batches, single- and multi-output
  regression, a deeper network. Recorded: the flat ``parameters``, the
  optimizer's ``get_state()`` (``t`` and every array), every key of the
  History, the batch-norm running statistics, and ``forward`` /
  ``predict_proba`` / ``predict`` on the training inputs afterwards;
- the notebook API (``nb_*``): ``initialize_parameters`` for each method,
  a few ``forward_prop`` / ``cost`` / ``backward_prop`` /
  ``update_parameters`` iterations (optimizer objects and plain learning
  rates, dropout, batch norm, L2), ``L_layer_model``: every parameter array,
  the last step's grads, the costs, the output and ``predict``;
- the optimizers alone (``opt_*``): 20 ``step`` calls on three arrays of
  different shapes, each rule, float32 and float64: the arrays and
  ``get_state()``;
- the scikit-learn estimators (``sk_*``, only where scikit-learn is
  installed): ``predict_proba`` / ``predict``, the fitted ``network_``'s
  parameters, ``optimizer_.get_state()``, ``history_``.

The file: one ``.npz`` whose keys are ``"<configuration>/<item>"``, each
array in the exact dtype it was computed in. :func:`compare` asks of every
key the same dtype, the same shape and the same bytes (``tobytes()``, so that
nan and -0.0 count too), and that a configuration produces exactly the keys
the file holds for it -- no tolerance at all.

numba: the compiled loops (``barenet[fast]``) must give the NumPy passes'
numbers bit for bit. The file is recorded with them (where numba is
installed); ``--write`` then checks it in fresh processes with and without
them (``BARENET_NUMBA=0``), and the test does the same.

RE-RECORDING IS A DECISION TO CHANGE NUMBERS. The file was recorded from the
code before the redesign, whose point is to change no number; a failure of
the golden test means a result changed. Run ``--write`` only when a change
of results is intended and understood (a fixed bug, a deliberate change of
rounding), say so in the commit, and never to make a failing test pass.

Where the numbers hold. Bit for bit, results hold for one set of
floating-point code paths, and these were recorded on an AMD EPYC with
AVX-512, NumPy 2.4.6 and its OpenBLAS 0.3.31 (SkylakeX kernels); the file
keeps that as ``_meta/machine``, and a failure on another machine says so.
They are the same run after run and process after process there, with 1 or 2
BLAS threads, with numba and without, each configuration alone or all
together in any order. Elsewhere they may not be: OpenBLAS's Haswell kernels
(a CPU without AVX-512) change 45 of the configurations by an ulp or so, and
NumPy's float64 exp and log without AVX-512 change 15; NumPy 1.x changes 16
(its float64 exp/log), which :data:`NUMPY2_ONLY` lists and the test skips there.
"""

import argparse
import os
import platform
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np

import barenet
from barenet import notebook as nb
from barenet import schedules
from barenet.activations import LeakyReLU

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden.npz"

# --------------------------------------------------------------------- data

N_SAMPLES = 90  # batches of 32 leave a last batch of 26, of 16 one of 10


def make_data(kind, seed=0, n=N_SAMPLES):
    """``(X, y)`` with ``X`` of shape ``(n, 4)``, samples x features."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    if kind == "binary":
        y = (X[:, 0] * X[:, 1] + 0.5 * X[:, 2] > 0).astype(np.int64)
    elif kind == "binary_labels":  # labels other than 0 and 1
        y = np.where(X[:, 0] - X[:, 3] > 0, 7, 3).astype(np.int64)
    elif kind == "imbalanced":  # about a quarter positive
        y = (X[:, 0] + 0.3 * X[:, 3] > 0.7).astype(np.int64)
    elif kind == "multiclass":
        y = np.digitize(X[:, 0] + 0.5 * X[:, 1], [-0.5, 0.5]).astype(np.int64)
    elif kind == "regression":
        y = X @ np.array([1.0, -2.0, 0.5, 0.0]) + 0.1 * rng.normal(size=n)
    elif kind == "multi_regression":
        W = rng.normal(size=(4, 3))
        y = np.tanh(X) @ W + 0.1 * rng.normal(size=(n, 3))
    elif kind == "unit_regression":  # targets in (0, 1), for a sigmoid output
        y = 1 / (1 + np.exp(-(X @ np.array([1.0, -1.0, 0.5, 0.25]))))
    elif kind == "unscaled":  # columns far from zero mean and unit variance
        y = (X[:, 0] + X[:, 1] > 0).astype(np.int64)
        X = X * np.array([1.0, 10.0, 100.0, 0.1]) + np.array([5.0, -3.0, 50.0, 0.0])
    else:
        raise ValueError(kind)
    return X, y


# ----------------------------------------------------------- configurations
# Objects (optimizers, schedules, activations) come from factories: each
# computation gets fresh ones.


def _net(data, hidden, activations, optimizer, epochs=4, batch_size=32, net=None, fit=None,
         n_out=1, weights=None):
    return {"kind": "network", "data": data, "hidden": hidden, "activations": activations,
            "n_out": n_out, "optimizer": optimizer, "epochs": epochs,
            "batch_size": batch_size, "net": net or {}, "fit": fit or {}, "weights": weights}


NETWORK_CONFIGS = {
    # activations, losses, optimizers
    "net_tanh_sigmoid_gd_f64": _net(
        "binary", [8], ["tanh", "sigmoid"], lambda: barenet.GD(lr=0.5),
        net={"dtype": "float64", "seed": 1}),
    "net_relu_adam_f32": _net(
        "binary", [8], ["relu", "sigmoid"], lambda: barenet.Adam(lr=0.02),
        net={"dtype": "float32", "seed": 2}),
    "net_leaky_relu_momentum_f32": _net(
        "binary_labels", [8], ["leaky_relu", "sigmoid"],
        lambda: barenet.Momentum(lr=0.1, beta=0.9, nesterov=False),
        net={"dtype": "float32", "seed": 3}),
    "net_leaky_relu_02_nesterov_f64": _net(
        "binary", [8], [LeakyReLU(0.2), "sigmoid"],
        lambda: barenet.Momentum(lr=0.1, beta=0.8, nesterov=True),
        net={"dtype": "float64", "seed": 4}),
    "net_softmax_rmsprop_f32": _net(
        "multiclass", [10], ["relu", "softmax"], lambda: barenet.RMSProp(lr=0.01),
        n_out=3, net={"dtype": "float32", "seed": 5}),
    "net_softmax_rmsprop_bias_correction_f64": _net(
        "multiclass", [10], ["tanh", "softmax"],
        lambda: barenet.RMSProp(lr=0.01, beta=0.95, bias_correction=True),
        n_out=3, net={"dtype": "float64", "seed": 6, "loss": "categorical_crossentropy"}),
    "net_adamw_l2_f32": _net(
        "binary", [8], ["relu", "sigmoid"], lambda: barenet.AdamW(lr=0.02, weight_decay=0.05),
        net={"dtype": "float32", "seed": 7, "l2": 0.05}),
    "net_linear_hidden_bce_f64": _net(
        "binary", [6], ["linear", "sigmoid"], lambda: barenet.Adam(lr=0.05),
        net={"dtype": "float64", "seed": 8, "loss": "binary_crossentropy", "init": "xavier"}),
    "net_sigmoid_hidden_mse_f32": _net(
        "unit_regression", [8], ["sigmoid", "sigmoid"], lambda: barenet.Adam(lr=0.05),
        net={"dtype": "float32", "seed": 9, "loss": "mse", "init": "random"}),
    # clipping (clipnorm below the gradients' norm: it scales every step)
    "net_clip_adam_f32": _net(
        "binary", [8], ["relu", "sigmoid"], lambda: barenet.Adam(lr=0.02, clipnorm=0.05),
        net={"dtype": "float32", "seed": 10}),
    "net_clip_gd_f64": _net(
        "regression", [8], ["tanh", "linear"], lambda: barenet.GD(lr=0.1, clipnorm=0.2),
        net={"dtype": "float64", "seed": 11}),
    "net_clip_nesterov_f32": _net(
        "multiclass", [8], ["relu", "softmax"],
        lambda: barenet.Momentum(lr=0.1, nesterov=True, clipnorm=0.1),
        n_out=3, net={"dtype": "float32", "seed": 12}),
    "net_clip_adamw_f64": _net(
        "binary", [8], ["tanh", "sigmoid"],
        lambda: barenet.AdamW(lr=0.01, weight_decay=0.1, clipnorm=0.05),
        net={"dtype": "float64", "seed": 13}),
    "net_clip_rmsprop_bias_correction_f32": _net(
        "multiclass", [8], ["leaky_relu", "softmax"],
        lambda: barenet.RMSProp(lr=0.01, bias_correction=True, clipnorm=0.1),
        n_out=3, net={"dtype": "float32", "seed": 33}),
    # dropout, batch normalization
    "net_dropout_f32": _net(
        "binary", [12], ["relu", "sigmoid"], lambda: barenet.Adam(lr=0.02),
        net={"dtype": "float32", "seed": 14, "dropout": 0.3}),
    "net_batch_norm_f32": _net(
        "binary", [8], ["relu", "sigmoid"], lambda: barenet.Adam(lr=0.02), batch_size=16,
        net={"dtype": "float32", "seed": 15, "batch_norm": True}),
    "net_batch_norm_dropout_per_layer_f64": _net(
        "multiclass", [8, 6], ["relu", "tanh", "softmax"],
        lambda: barenet.Momentum(lr=0.05), batch_size=16, n_out=3,
        net={"dtype": "float64", "seed": 16, "batch_norm": [True, False],
             "dropout": [0.2, 0.0], "bn_momentum": 0.8}),
    # schedules
    "net_step_decay_gd_f32": _net(
        "binary", [8], ["relu", "sigmoid"], lambda: barenet.GD(lr=0.5), epochs=5,
        net={"dtype": "float32", "seed": 17},
        fit={"schedule": lambda: schedules.StepDecay(factor=0.5, step=2)}),
    "net_exponential_decay_momentum_f64": _net(
        "binary", [8], ["tanh", "sigmoid"], lambda: barenet.Momentum(lr=0.1), epochs=5,
        net={"dtype": "float64", "seed": 18},
        fit={"schedule": lambda: schedules.ExponentialDecay(rate=0.8)}),
    "net_inverse_time_decay_rmsprop_f32": _net(
        "regression", [8], ["relu", "linear"], lambda: barenet.RMSProp(lr=0.01), epochs=5,
        net={"dtype": "float32", "seed": 19},
        fit={"schedule": lambda: schedules.InverseTimeDecay(decay=0.5, interval=2)}),
    "net_cosine_decay_adam_f64": _net(
        "multiclass", [8], ["relu", "softmax"], lambda: barenet.Adam(lr=0.02), epochs=5,
        n_out=3, net={"dtype": "float64", "seed": 20},
        fit={"schedule": lambda: schedules.CosineDecay(min_lr=1e-3)}),
    # weights, validation, standardization, batches
    "net_sample_weight_f64": _net(
        "binary", [8], ["relu", "sigmoid"], lambda: barenet.Adam(lr=0.02),
        net={"dtype": "float64", "seed": 21}, weights="sample"),
    "net_class_weight_balanced_f32": _net(
        "imbalanced", [8], ["relu", "sigmoid"], lambda: barenet.Adam(lr=0.02),
        net={"dtype": "float32", "seed": 22}, fit={"class_weight": "balanced"}),
    "net_class_and_sample_weight_softmax_f64": _net(
        "multiclass", [8], ["tanh", "softmax"], lambda: barenet.RMSProp(lr=0.01), n_out=3,
        net={"dtype": "float64", "seed": 23}, weights="sample",
        fit={"class_weight": {0: 1.0, 1: 2.0, 2: 0.5}}),
    "net_validation_split_f32": _net(
        "binary", [8], ["relu", "sigmoid"], lambda: barenet.Adam(lr=0.02),
        net={"dtype": "float32", "seed": 24}, fit={"validation_split": 0.2}),
    "net_validation_data_regression_f64": _net(
        "regression", [8], ["tanh", "linear"], lambda: barenet.Adam(lr=0.02),
        net={"dtype": "float64", "seed": 25}, fit={"validation_data": "second half"}),
    "net_standardize_f32": _net(
        "unscaled", [8], ["relu", "sigmoid"], lambda: barenet.Adam(lr=0.02),
        net={"dtype": "float32", "seed": 26, "standardize": True},
        fit={"validation_split": 0.25}),
    "net_full_batch_f64": _net(
        "binary", [8], ["tanh", "sigmoid"], lambda: barenet.GD(lr=0.5), epochs=6,
        batch_size=None, net={"dtype": "float64", "seed": 27}),
    "net_small_batches_no_shuffle_f32": _net(
        "binary", [8], ["relu", "sigmoid"], lambda: barenet.Adam(lr=0.01), epochs=2,
        batch_size=7, net={"dtype": "float32", "seed": 28}, fit={"shuffle": False}),
    # regression, depth
    "net_regression_single_f32": _net(
        "regression", [8], ["tanh", "linear"], lambda: barenet.Adam(lr=0.02),
        net={"dtype": "float32", "seed": 29}),
    "net_regression_multi_output_f64": _net(
        "multi_regression", [10], ["relu", "linear"], lambda: barenet.RMSProp(lr=0.01),
        n_out=3, net={"dtype": "float64", "seed": 30, "loss": "mse"}),
    "net_deep_f32": _net(
        "binary", [16, 12, 8], ["relu", "leaky_relu", "tanh", "sigmoid"],
        lambda: barenet.Adam(lr=0.01), batch_size=16, net={"dtype": "float32", "seed": 31}),
    "net_deep_batch_norm_f64": _net(
        "regression", [16, 12, 8], ["relu", "relu", "relu", "linear"],
        lambda: barenet.AdamW(lr=0.01), batch_size=32,
        net={"dtype": "float64", "seed": 32, "batch_norm": True, "l2": 0.01}),
}

# The notebook API: X is features x samples, parameters are float64 dicts.
NOTEBOOK_CONFIGS = {
    "nb_init_random": {"kind": "nb_init", "shape": [5, 4, 3, 1], "method": "random", "seed": 0},
    "nb_init_xavier": {"kind": "nb_init", "shape": [5, 4, 3, 1], "method": "xavier", "seed": 1},
    "nb_init_he_batch_norm": {"kind": "nb_init", "shape": [5, 4, 3, 1], "method": "he",
                              "seed": 2, "batch_norm": True},
    "nb_steps_adam": {
        "kind": "nb_steps", "data": "binary", "shape": [4, 6, 4, 1],
        "activations": ["relu", "relu", "sigmoid"], "method": "he", "seed": 3,
        "optimizer": lambda: barenet.Adam(lr=0.01), "iterations": 4},
    "nb_steps_learning_rate_dropout_l2": {
        "kind": "nb_steps", "data": "binary", "shape": [4, 6, 1],
        "activations": ["tanh", "sigmoid"], "method": "xavier", "seed": 4,
        "optimizer": lambda: 0.1, "iterations": 4, "keep_prob": 0.8, "lambd": 0.1},
    "nb_steps_batch_norm_nesterov_softmax": {
        "kind": "nb_steps", "data": "multiclass", "shape": [4, 6, 5, 3],
        "activations": ["relu", "leaky_relu", "softmax"], "method": "he", "seed": 5,
        "optimizer": lambda: barenet.Momentum(lr=0.05, nesterov=True), "iterations": 4,
        "batch_norm": True, "loss": "categorical_crossentropy"},
    "nb_steps_rmsprop_mse": {
        "kind": "nb_steps", "data": "regression", "shape": [4, 6, 1],
        "activations": [LeakyReLU(0.2), "linear"], "method": "he", "seed": 6,
        "optimizer": lambda: barenet.RMSProp(lr=0.01, bias_correction=True), "iterations": 4,
        "loss": "mse", "keep_prob": [0.7]},
    "nb_L_layer_model_adam": {
        "kind": "nb_model", "data": "binary", "shape": [4, 6, 4, 1],
        "activations": ["relu", "relu", "sigmoid"], "seed": 7,
        "args": {"optimizer": lambda: barenet.Adam(lr=0.01), "num_epochs": 3,
                 "mini_batch_size": 32}},
    "nb_L_layer_model_gd_batch_norm_dropout": {
        "kind": "nb_model", "data": "binary", "shape": [4, 6, 4, 1],
        "activations": ["relu", "tanh", "sigmoid"], "seed": 8,
        "args": {"optimizer": lambda: 0.05, "num_epochs": 3, "mini_batch_size": 16,
                 "initialization_method": "xavier", "lambd": 0.05, "keep_prob": 0.9,
                 "batch_norm": True}},
}

_OPTIMIZERS = {
    "gd": lambda: barenet.GD(lr=0.1),
    "momentum": lambda: barenet.Momentum(lr=0.05, beta=0.9),
    "nesterov": lambda: barenet.Momentum(lr=0.05, beta=0.9, nesterov=True),
    "rmsprop": lambda: barenet.RMSProp(lr=0.01, beta=0.9),
    "rmsprop_bias_correction": lambda: barenet.RMSProp(lr=0.01, bias_correction=True),
    "adam": lambda: barenet.Adam(lr=0.01),
    "adamw": lambda: barenet.AdamW(lr=0.01, weight_decay=0.1),
    "adam_clipnorm": lambda: barenet.Adam(lr=0.01, clipnorm=0.5),
    "nesterov_clipnorm": lambda: barenet.Momentum(lr=0.05, nesterov=True, clipnorm=0.5),
}
OPTIMIZER_CONFIGS = {
    f"opt_{rule}_{short}": {"kind": "optimizer", "optimizer": factory, "dtype": dtype,
                            "seed": 100 + i}
    for i, (rule, factory) in enumerate(_OPTIMIZERS.items())
    for short, dtype in (("f32", "float32"), ("f64", "float64"))
}

SKLEARN_CONFIGS = {
    "sk_classifier_binary_f64": {
        "kind": "sk_classifier", "data": "binary",
        "args": {"hidden_layer_sizes": (8,), "learning_rate": 0.01, "max_iter": 4,
                 "batch_size": 32, "random_state": 0}},
    "sk_classifier_multiclass_f32": {
        "kind": "sk_classifier", "data": "multiclass",
        "args": {"hidden_layer_sizes": (8, 6), "activation": ("relu", "tanh"),
                 "optimizer": "rmsprop", "learning_rate": 0.01, "alpha": 0.01,
                 "class_weight": "balanced", "max_iter": 4, "batch_size": 16,
                 "early_stopping": True, "validation_fraction": 0.2, "random_state": 1,
                 "dtype": "float32", "clipnorm": 0.5}},
    "sk_regressor_multi_output_f64": {
        "kind": "sk_regressor", "data": "multi_regression",
        "args": {"hidden_layer_sizes": (10,), "learning_rate": 0.01, "max_iter": 4,
                 "schedule": "cosine", "random_state": 2, "batch_size": None}},
    "sk_regressor_single_f32": {
        "kind": "sk_regressor", "data": "regression",
        "args": {"hidden_layer_sizes": (8,), "optimizer": "momentum", "nesterov": True,
                 "learning_rate": 0.01, "max_iter": 4, "batch_size": 32, "standardize": True,
                 "batch_norm": True, "random_state": 3, "dtype": "float32"}},
}

CONFIGS = {**NETWORK_CONFIGS, **NOTEBOOK_CONFIGS, **OPTIMIZER_CONFIGS, **SKLEARN_CONFIGS}

# Configurations whose results differ under NumPy 1.x (name: reason); the
# test skips them there. Measured with NumPy 1.24.4 against the 2.4.6 that
# recorded the file, on the recording machine: NumPy 1.24's float64 exp, log
# and log1p round differently from NumPy 2.4's in about a fifth of the values
# (float32 and every other operation used here agree), so the float64 runs
# through a sigmoid or softmax (or cross-entropy) drift by an ulp or two.
_FLOAT64_EXP_LOG = ("float64 exp/log/log1p (sigmoid, softmax, cross-entropy) round "
                    "differently in NumPy 1.x")
NUMPY2_ONLY = dict.fromkeys([
    "net_tanh_sigmoid_gd_f64",
    "net_leaky_relu_02_nesterov_f64",
    "net_softmax_rmsprop_bias_correction_f64",
    "net_linear_hidden_bce_f64",
    "net_clip_adamw_f64",
    "net_batch_norm_dropout_per_layer_f64",
    "net_exponential_decay_momentum_f64",
    "net_cosine_decay_adam_f64",
    "net_sample_weight_f64",
    "net_class_and_sample_weight_softmax_f64",
    "net_full_batch_f64",
    "nb_steps_adam",
    "nb_steps_learning_rate_dropout_l2",
    "nb_steps_batch_norm_nesterov_softmax",
    "nb_L_layer_model_adam",
    "nb_L_layer_model_gd_batch_norm_dropout",
], _FLOAT64_EXP_LOG)


def needs_sklearn(name):
    return CONFIGS[name]["kind"].startswith("sk_")


def skip_reason(name):
    """Why ``name`` cannot be checked in this environment, or None."""
    if needs_sklearn(name):
        try:
            import sklearn  # noqa: F401
        except ImportError:
            return "scikit-learn is not installed"
    if name in NUMPY2_ONLY and int(np.__version__.split(".")[0]) < 2:
        return f"NumPy {np.__version__} < 2: {NUMPY2_ONLY[name]}"
    return None


# -------------------------------------------------------------- computation


def _optimizer_state(out, optimizer):
    """``optimizer.get_state()``: ``t`` and every array, through the public interface."""
    state = optimizer.get_state()
    out["optimizer/t"] = np.asarray(state["t"], dtype=np.int64)
    for key, arrays in state["arrays"].items():
        for i, a in enumerate(arrays):
            out[f"optimizer/{key}/{i}"] = np.asarray(a)


def _history(out, history):
    for key, values in history.items():
        out[f"history/{key}"] = np.asarray(values, dtype=np.float64)


def _weights(n, seed=0):
    return np.random.default_rng(1000 + seed).uniform(0.25, 2.0, size=n)


def _compute_network(spec):
    X, y = make_data(spec["data"])
    sizes = [X.shape[1], *spec["hidden"], spec["n_out"]]
    net = barenet.Network(sizes, list(spec["activations"]), **spec["net"])
    fit = dict(spec["fit"])
    if "schedule" in fit:
        fit["schedule"] = fit["schedule"]()
    if fit.get("validation_data") == "second half":
        X_val, y_val = make_data(spec["data"], seed=1, n=30)
        fit["validation_data"] = (X_val, y_val)
    if spec["weights"] == "sample":
        fit["sample_weight"] = _weights(len(X))
    history = net.fit(X, y, optimizer=spec["optimizer"](), epochs=spec["epochs"],
                      batch_size=spec["batch_size"], **fit)
    out = {"parameters": net.parameters.copy()}
    _optimizer_state(out, net.optimizer_)
    _history(out, history)
    for l, (mean, var) in enumerate(zip(net.running_means, net.running_vars)):
        if mean is not None:
            out[f"running_mean/{l}"] = np.array(mean)
            out[f"running_var/{l}"] = np.array(var)
    if net.scaler_ is not None:
        out["scaler/mean"] = np.asarray(net.scaler_.mean_)
        out["scaler/scale"] = np.asarray(net.scaler_.scale_)
    out["forward"] = net.forward(X)
    if net.task != "regression":
        out["predict_proba"] = net.predict_proba(X)
    out["predict"] = net.predict(X)
    return out


def _notebook_data(spec):
    X, y = make_data(spec["data"], n=40)
    n_out = spec["shape"][-1]
    if spec["data"] == "multiclass":
        Y = np.eye(n_out)[y].T
    else:
        Y = y.reshape(1, -1).astype(np.float64)
    return X.T.copy(), Y


def _compute_nb_init(spec):
    params = nb.initialize_parameters(spec["shape"], spec["method"], seed=spec["seed"],
                                      batch_norm=spec.get("batch_norm", False))
    return {f"parameters/{k}": v for k, v in params.items()}


def _compute_nb_steps(spec):
    X, Y = _notebook_data(spec)
    acts = list(spec["activations"])
    loss = spec.get("loss", "binary_crossentropy")
    lambd = spec.get("lambd", 0.0)
    keep_prob = spec.get("keep_prob", 1.0)
    params = nb.initialize_parameters(spec["shape"], spec["method"], seed=spec["seed"],
                                      batch_norm=spec.get("batch_norm", False))
    optimizer = spec["optimizer"]()
    costs = []
    for i in range(spec["iterations"]):
        AL, caches = nb.forward_prop(X, acts, params, keep_prob=keep_prob,
                                     seed=10 * spec["seed"] + i)
        costs.append(nb.cost(AL, Y, loss, params, lambd))
        grads = nb.backward_prop(AL, Y, caches, acts, loss, lambd)
        nb.update_parameters(params, grads, optimizer)
    out = {f"parameters/{k}": v for k, v in params.items()}
    out.update({f"grads/{k}": v for k, v in grads.items()})
    out["costs"] = np.asarray(costs)
    out["AL"] = AL
    out["predict"] = np.asarray(nb.predict(X, params, acts))
    if isinstance(optimizer, barenet.optimizers.Optimizer):
        _optimizer_state(out, optimizer)
    return out


def _compute_nb_model(spec):
    X, Y = _notebook_data(spec)
    args = dict(spec["args"])
    args["optimizer"] = args["optimizer"]()
    params, costs = nb.L_layer_model(X, Y, spec["shape"], list(spec["activations"]),
                                     seed=spec["seed"], **args)
    out = {f"parameters/{k}": v for k, v in params.items()}
    out["costs"] = np.asarray(costs)
    out["predict"] = np.asarray(nb.predict(X, params, list(spec["activations"])))
    return out


def _compute_optimizer(spec):
    dtype = np.dtype(spec["dtype"])
    rng = np.random.default_rng(spec["seed"])
    params = [rng.normal(size=shape).astype(dtype) for shape in [(3, 4), (5,), (2, 3, 2)]]
    optimizer = spec["optimizer"]()
    half = dtype.type(0.5)
    for _ in range(20):
        # a gradient that depends on the parameters, plus noise
        grads = [p * half + rng.normal(size=p.shape).astype(dtype) for p in params]
        optimizer.step(params, grads)
    out = {f"params/{i}": p for i, p in enumerate(params)}
    _optimizer_state(out, optimizer)
    return out


def _compute_sklearn(spec):
    from barenet.sklearn import BarenetClassifier, BarenetRegressor

    X, y = make_data(spec["data"])
    classifier = spec["kind"] == "sk_classifier"
    est = (BarenetClassifier if classifier else BarenetRegressor)(**spec["args"])
    est.fit(X, y)
    out = {"parameters": est.network_.parameters.copy()}
    _optimizer_state(out, est.optimizer_)
    _history(out, est.history_)
    if classifier:
        out["predict_proba"] = est.predict_proba(X)
    out["predict"] = est.predict(X)
    return out


_KINDS = {"network": _compute_network, "nb_init": _compute_nb_init,
          "nb_steps": _compute_nb_steps, "nb_model": _compute_nb_model,
          "optimizer": _compute_optimizer, "sk_classifier": _compute_sklearn,
          "sk_regressor": _compute_sklearn}


def compute(name):
    """The results of configuration ``name``: ``{"<name>/<item>": array}``,
    each array a copy in the dtype it was computed in."""
    spec = CONFIGS[name]
    results = _KINDS[spec["kind"]](spec)
    return {f"{name}/{item}": np.array(value, copy=True) for item, value in results.items()}


# --------------------------------------------------------------- comparison


def load_golden(path=GOLDEN):
    """The recorded arrays, ``{key: array}`` (``_meta/...`` keys included)."""
    with np.load(path, allow_pickle=False) as data:
        return {key: data[key] for key in data.files}


META = "_meta"  # keys "_meta/<item>": about the recording, not a configuration


def config_of(key):
    return key.split("/", 1)[0]


def recorded_configs(golden):
    """The configurations ``golden`` holds results of."""
    return {config_of(k) for k in golden} - {META}


def machine():
    """What decides the last bits here besides the code: NumPy's version and
    SIMD paths, the CPU (OpenBLAS picks its kernels for it)."""
    parts = [f"NumPy {np.__version__}", platform.machine()]
    try:
        with open("/proc/cpuinfo") as f:
            model = next((line.split(":", 1)[1].strip() for line in f
                          if line.startswith("model name")), None)
        if model:
            parts.append(model)
    except OSError:
        pass
    try:  # NumPy's SIMD extensions in use (a private table, where it exists)
        core = getattr(np, "_core", None) or np.core
        features = core._multiarray_umath.__cpu_features__
        parts.append("AVX-512" if features.get("AVX512F") else "no AVX-512")
    except Exception:
        pass
    return ", ".join(parts)


def machine_note(golden):
    """A line for a failure message when this machine is not the recording one."""
    recorded = str(golden.get(f"{META}/machine", "unknown"))
    here = machine()
    if recorded == here:
        return ""
    return (f"note: recorded on [{recorded}], running on [{here}]: differences in the last "
            "bits can come from the machine (NumPy's SIMD code, the BLAS kernels) rather "
            "than from the code")


def compare(name, results, golden):
    """The differences between ``results`` (from :func:`compute`) and what
    ``golden`` records for configuration ``name``, as a list of messages
    (empty when they are identical, bit for bit)."""
    problems = []
    recorded = {k for k in golden if config_of(k) == name}
    if not recorded:
        return [f"{name}: nothing recorded for this configuration"]
    for key in sorted(set(results) - recorded):
        problems.append(f"{key}: computed but not in the golden file")
    for key in sorted(recorded - set(results)):
        problems.append(f"{key}: in the golden file but not computed")
    for key in sorted(recorded & set(results)):
        a, b = np.asarray(results[key]), golden[key]
        if a.dtype != b.dtype:
            problems.append(f"{key}: dtype {a.dtype}, recorded {b.dtype}")
        elif a.shape != b.shape:
            problems.append(f"{key}: shape {a.shape}, recorded {b.shape}")
        elif a.tobytes() != b.tobytes():
            # values whose bytes differ (a nan's payload and the sign of a zero count)
            bytes_a, bytes_b = (np.frombuffer(x.tobytes(), np.uint8).reshape(x.size, -1)
                                for x in (a, b))
            n = int(np.count_nonzero((bytes_a != bytes_b).any(axis=1)))
            detail = ""
            if a.dtype.kind == "f":
                with np.errstate(invalid="ignore", over="ignore"):
                    gaps = np.abs(a.astype(np.float64) - b).ravel()
                gaps = gaps[np.isfinite(gaps) & (gaps > 0)]
                if gaps.size:
                    detail = f", largest difference {gaps.max():.3g}"
            problems.append(f"{key}: {n} of {a.size} values differ{detail}")
    return problems


def check(names=None, golden=None, verbose=True):
    """Compute and compare ``names`` (all by default); returns ``{name: problems}``
    for the configurations that differ. Those that cannot run here are skipped."""
    golden = load_golden() if golden is None else golden
    failures = {}
    for name in names or CONFIGS:
        reason = skip_reason(name)
        if reason:
            if verbose:
                print(f"SKIP {name}: {reason}")
            continue
        problems = compare(name, compute(name), golden)
        if problems:
            failures[name] = problems
        if verbose:
            print(f"{'FAIL' if problems else 'ok  '} {name}")
            for p in problems:
                print(f"       {p}")
    unknown = sorted(recorded_configs(golden) - set(CONFIGS))
    if unknown and names is None:
        failures["(golden file)"] = [f"recorded but not configured: {unknown}"]
        if verbose:
            print(f"FAIL the golden file records unknown configurations {unknown}")
    return failures


def numba_mode():
    """'on', 'off' or 'unknown': whether training runs barenet's compiled loops here."""
    if os.environ.get("BARENET_NUMBA", "1") == "0":
        return "off (BARENET_NUMBA=0)"
    try:
        import numba  # noqa: F401
    except ImportError:
        return "off (numba is not installed)"
    return "on"


def _environment():
    return (f"barenet from {os.path.dirname(barenet.__file__)}, NumPy {np.__version__}, "
            f"numba {numba_mode()}")


def _run_check_subprocess(numba):
    env = dict(os.environ)
    if numba:
        env.pop("BARENET_NUMBA", None)
    else:
        env["BARENET_NUMBA"] = "0"
    return subprocess.run([sys.executable, str(Path(__file__).resolve()), "--check"], env=env)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--check", action="store_true", help="compare with golden.npz")
    group.add_argument("--write", action="store_true",
                       help="RE-RECORD golden.npz: a decision to change numbers")
    group.add_argument("--list", action="store_true", help="list the configurations")
    parser.add_argument("names", nargs="*", help="configurations (default: all)")
    args = parser.parse_args(argv)
    warnings.simplefilter("error", RuntimeWarning)  # as pytest's settings in pyproject.toml
    unknown = [n for n in args.names if n not in CONFIGS]
    if unknown:
        parser.error(f"unknown configurations {unknown}")
    if args.list:
        for name in CONFIGS:
            print(name)
        return 0
    print(_environment())
    if args.check:
        failures = check(args.names or None)
        print(f"{len(failures)} configuration(s) differ" if failures else "all identical")
        note = machine_note(load_golden()) if failures else ""
        if note:
            print(note)
        return 1 if failures else 0
    # --write
    if args.names:
        parser.error("--write records every configuration; give no names")
    missing = [n for n in CONFIGS if skip_reason(n)]
    if missing:
        sys.exit(f"cannot record here, these configurations cannot run: {missing}")
    print("WARNING: re-recording the golden results. This is a decision to change the "
          "numbers the golden test guards; see this file's docstring.")
    results, again = {}, {}
    for name in CONFIGS:
        results.update(compute(name))
    for name in CONFIGS:
        again.update(compute(name))
    unstable = [k for k in results if results[k].tobytes() != again[k].tobytes()]
    if unstable:
        sys.exit(f"not reproducible within one process, nothing written: {unstable}")
    results[f"{META}/machine"] = np.array(machine())
    np.savez_compressed(GOLDEN, **results)
    print(f"wrote {len(results) - 1} arrays of {len(CONFIGS)} configurations to {GOLDEN} "
          f"({GOLDEN.stat().st_size} bytes)")
    status = 0
    for numba in (True, False):
        print(f"checking in a fresh process, numba {'allowed' if numba else 'off'}:")
        status |= _run_check_subprocess(numba).returncode
    if status:
        print("WARNING: the fresh processes do not reproduce the file (above)")
    return status


if __name__ == "__main__":
    sys.exit(main())

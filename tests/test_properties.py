"""Property-based tests (hypothesis) of the math, and a short fuzz run of the loaders.

1. Properties of :class:`barenet.Network` over random architectures: 1 to 4
   weight layers of 1 to 6 units, any hidden activation of
   ``barenet.activations.REGISTRY`` (leaky ReLU with a random slope), every
   valid output/loss pair, float32 and float64, batch normalization, dropout
   and L2 on or off per layer, 1 to 12 samples:

   - ``forward`` has shape ``(n_samples, n_out)``, the network's dtype, finite
     values in the output activation's range (softmax rows sum to 1), does not
     touch ``X``, and scores each sample on its own;
   - one backward pass fills a finite gradient vector the shape and dtype of
     ``parameters``, of which every ``dW``, ``db``, ``dgamma``, ``dbeta`` is a
     view of the shape of its parameter;
   - one epoch of ``fit`` (any optimizer, any batch size) keeps the parameters
     finite, in their dtype and in the same buffer;
   - float64 gradients pass ``barenet.gradient_check`` (< 1e-6), draws with a
     ReLU/leaky-ReLU pre-activation within 1e-4 of the kink being rejected;
   - ``predict`` after ``save``/``load`` is bit-identical.

   The notebook API: ``forward_prop``/``backward_prop`` shapes and finiteness
   for random shapes; ``cost`` is finite and >= 0 for any ``AL`` in [0, 1],
   exact 0s and 1s included.

2. A fuzz run of the loaders: valid files (a saved model, a checkpoint, a CSV,
   two ``.npz`` data sets, an IDX file, a gzipped IDX file, an MNIST
   directory) are damaged -- bits flipped, bytes set, inserted, deleted,
   truncated, at the byte level and inside the zip members (so the CRCs still
   match and the damage reaches the parsers), and field-aware (JSON values of
   the model's metadata, ``.npy`` headers, IDX headers, CSV cells). Each
   loader must either succeed or raise ``ValueError``, ``TypeError`` or
   ``FileNotFoundError`` (or a subclass, such as ``barenet.ModelFileError``);
   anything else is a bug. A crafted header claiming an enormous array must
   fail fast, without allocating it.

   Crashes found by the fuzz run are reduced to minimal inputs below, as plain
   regression tests marked ``# REGRESSION (fuzz)``.

Every ``@given`` test is derandomized and uses no example database, so a run
is reproducible and CI is never flaky; the whole file runs in well under a
minute on two cores. For a longer fuzz run by hand::

    BARENET_PROPERTY_SCALE=20 BARENET_PROPERTY_RANDOM=1 pytest tests/test_properties.py
"""

import gzip
import io
import json
import math
import os
import struct
import tempfile
import tracemalloc
import zipfile
from typing import NamedTuple

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import barenet
from barenet import activations, datasets, losses, notebook, optimizers

ALLOWED = (ValueError, TypeError, FileNotFoundError)  # what a loader may raise
# bytes: loading a small crafted file must not allocate more (a header that
# claims an enormous array must be caught before anything is reserved for it)
SMALL = 64 * 2**20


# For a longer run by hand, BARENET_PROPERTY_SCALE=20 multiplies every example
# count, and BARENET_PROPERTY_RANDOM=1 draws new examples each run instead of
# the fixed ones.
SCALE = float(os.environ.get("BARENET_PROPERTY_SCALE", "1"))
RANDOM = os.environ.get("BARENET_PROPERTY_RANDOM", "") not in ("", "0")


def _settings(max_examples):
    return settings(
        max_examples=max(1, int(max_examples * SCALE)),
        deadline=None,
        derandomize=not RANDOM,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                               HealthCheck.filter_too_much],
    )


# =================================================================== 1. math

# exp is unbounded: the inputs drawn here (up to 100) overflow it, through
# any layer; tests/test_mlp_formulas.py checks it, as a Poisson output
HIDDEN_NAMES = sorted(set(activations.REGISTRY) - {"exp"})
KINKED = ("relu", "leaky_relu")
# Output activation and loss pairs a Network accepts: the two cross-entropies
# after their fused output, mse after any registered activation.
NET_OUTPUT_LOSS = [("sigmoid", "binary_crossentropy"), ("softmax", "categorical_crossentropy")]
NET_OUTPUT_LOSS += [(name, "mse") for name in HIDDEN_NAMES]
# The notebook also takes the unfused cross-entropy pairs.
NOTEBOOK_OUTPUT_LOSS = NET_OUTPUT_LOSS + [("softmax", "binary_crossentropy"),
                                          ("sigmoid", "categorical_crossentropy")]


@st.composite
def hidden_activations(draw):
    name = draw(st.sampled_from(HIDDEN_NAMES))
    if name == "leaky_relu" and draw(st.booleans()):
        return activations.LeakyReLU(draw(st.floats(0, 0.9)))
    return activations.get(name)


class Config(NamedTuple):
    sizes: tuple
    acts: tuple  # Activation objects, one per weight layer
    loss: str
    dtype: str
    batch_norm: tuple  # one per hidden layer
    dropout: tuple  # one per hidden layer
    l2: float
    m: int  # samples
    seed: int

    @property
    def task(self):
        return {"binary_crossentropy": "binary",
                "categorical_crossentropy": "multiclass"}.get(self.loss, "regression")


@st.composite
def configs(draw, dtypes=("float32", "float64"), max_depth=4):
    depth = draw(st.integers(1, max_depth))
    output, loss = draw(st.sampled_from(NET_OUTPUT_LOSS))
    sizes = draw(st.lists(st.integers(1, 6), min_size=depth, max_size=depth))
    if loss == "binary_crossentropy":
        n_out = 1
    elif loss == "categorical_crossentropy":
        n_out = draw(st.integers(2, 6))
    else:
        n_out = draw(st.integers(1, 6))
    hidden = draw(st.lists(hidden_activations(), min_size=depth - 1, max_size=depth - 1))
    n_hidden = depth - 1  # batch norm and dropout are per hidden layer
    batch_norm = draw(st.lists(st.booleans(), min_size=n_hidden, max_size=n_hidden))
    dropout = draw(st.lists(st.sampled_from([0.0, 0.1, 0.5]), min_size=n_hidden,
                            max_size=n_hidden))
    l2 = draw(st.sampled_from([0.0, 0.01, 1.0]))
    # Classifiers need two classes, batch normalization two samples a batch.
    min_m = 2 if (any(batch_norm) or loss != "mse") else 1
    return Config(
        sizes=tuple(sizes) + (n_out,), acts=tuple(hidden) + (activations.get(output),),
        loss=loss, dtype=draw(st.sampled_from(dtypes)), batch_norm=tuple(batch_norm),
        dropout=tuple(dropout), l2=l2, m=draw(st.integers(min_m, 12)),
        seed=draw(st.integers(0, 2**32 - 1)),
    )


def build(cfg):
    return barenet.Network(list(cfg.sizes), list(cfg.acts), dtype=cfg.dtype, loss=cfg.loss,
                           seed=cfg.seed, l2=cfg.l2, dropout=list(cfg.dropout),
                           batch_norm=list(cfg.batch_norm))


def make_targets(cfg, rng, strings=False):
    """Targets for ``cfg``: labels with every class of a classifier present
    (as far as the samples allow; at least two), real targets for a regressor."""
    m, n_out = cfg.m, cfg.sizes[-1]
    if cfg.task == "regression":
        Y = rng.standard_normal((m, n_out))
        return Y[:, 0] if n_out == 1 and rng.random() < 0.5 else Y
    n_classes = 2 if cfg.task == "binary" else n_out
    labels = rng.permutation(np.arange(m) % n_classes)
    if strings and (cfg.task == "binary" or m >= n_classes):
        return np.array([f"class-{k}" for k in range(n_classes)])[labels]
    return labels


def make_data(cfg):
    rng = np.random.default_rng(cfg.seed)
    X = rng.standard_normal((cfg.m, cfg.sizes[0]))
    return X, make_targets(cfg, rng)


def _tol(dtype):
    return 1e-5 if np.dtype(dtype) == np.float32 else 1e-12


def check_output_range(out, output, dtype):
    tol = _tol(dtype)
    if output in ("sigmoid", "softmax"):
        assert (out >= 0).all() and (out <= 1).all()
    if output == "softmax":
        np.testing.assert_allclose(out.sum(axis=1), 1, rtol=0, atol=tol * out.shape[1])
    if output == "tanh":
        assert (np.abs(out) <= 1).all()
    if output == "relu":
        assert (out >= 0).all()


@_settings(150)
@given(cfg=configs(), data=st.data())
def test_network_forward_and_backward_shapes_and_finiteness(cfg, data):
    net = build(cfg)
    n_0, n_out, m = cfg.sizes[0], cfg.sizes[-1], cfg.m
    X = data.draw(hnp.arrays(np.float64, (m, n_0), elements=st.floats(-100, 100)), label="X")
    X_before = X.copy()

    out = net.forward(X)
    assert out.shape == (m, n_out) and out.dtype == net.dtype
    assert np.isfinite(out).all()
    check_output_range(out, cfg.acts[-1].name, cfg.dtype)
    assert X.tobytes() == X_before.tobytes()
    assert net.forward(X).tobytes() == out.tobytes()  # inference is deterministic
    k = data.draw(st.integers(1, m), label="k")  # and each sample is scored on its own
    np.testing.assert_allclose(net.forward(X[:k]), out[:k], rtol=1e-4, atol=1e-4)

    # one training-mode forward and backward pass, as fit's steps make them
    y = make_targets(cfg, np.random.default_rng(cfg.seed))
    Y, _ = net.encode(y, m)
    loss, AL = net.engine.step_value_and_grad(net.prepare(X).T, Y.T, rng=net.rng)
    assert math.isfinite(loss) and loss >= 0
    assert AL.shape == (n_out, m) and np.isfinite(AL).all()
    grad = net.flat.grad
    assert grad.shape == net.parameters.shape and grad.dtype == net.dtype
    assert np.isfinite(grad).all()
    L = len(cfg.sizes) - 1
    assert len(net.flat.dweights) == len(net.flat.dbiases) == L
    for l in range(L):
        n_in, n = cfg.sizes[l], cfg.sizes[l + 1]
        assert net.weights[l].shape == net.flat.dweights[l].shape == (n, n_in)
        assert net.biases[l].shape == net.flat.dbiases[l].shape == (n, 1)
        views = [net.flat.dweights[l], net.flat.dbiases[l]]
        if l < L - 1 and cfg.batch_norm[l]:
            assert net.gammas[l].shape == net.flat.dgammas[l].shape == (n, 1)
            assert net.betas[l].shape == net.flat.dbetas[l].shape == (n, 1)
            views += [net.flat.dgammas[l], net.flat.dbetas[l]]
        else:
            assert net.flat.dgammas[l] is None and net.flat.dbetas[l] is None
        for view in views:
            assert view.dtype == net.dtype and np.shares_memory(view, grad)


@_settings(100)
@given(cfg=configs(), optimizer=st.sampled_from(sorted(optimizers.REGISTRY)),
       batch_size=st.integers(1, 12), x_dtype=st.sampled_from(["float32", "float64"]))
def test_one_epoch_keeps_parameters_finite_and_in_their_dtype(cfg, optimizer, batch_size,
                                                              x_dtype):
    if any(cfg.batch_norm):
        batch_size = max(batch_size, 2)
    net = build(cfg)
    X, y = make_data(cfg)
    buffer = net.parameters
    history = net.fit(X.astype(x_dtype), y, optimizer=optimizer, epochs=1,
                      batch_size=batch_size)
    assert net.parameters is buffer and buffer.dtype == np.dtype(cfg.dtype)
    assert np.isfinite(net.parameters).all()
    assert np.isfinite(net.flat.state).all() and net.flat.state.dtype == np.dtype(cfg.dtype)
    for W, b in zip(net.weights, net.biases):  # still views of the flat vector
        assert np.shares_memory(W, buffer) and np.shares_memory(b, buffer)
    assert history.epochs == 1 and all(math.isfinite(v[0]) for v in history.values())
    out = net.forward(X)
    assert out.dtype == np.dtype(cfg.dtype) and np.isfinite(out).all()


def _conditioning(net, X, y):
    """How well a finite difference can check this problem, from the
    training-mode pass gradient_check is about to make (with the same
    dropout masks: the network's random state and running statistics are put
    back). Returns

    - the smallest |pre-activation| of a ReLU or leaky-ReLU layer: a central
      difference must not straddle a kink;
    - ``||g|| / |J|``, the gradient's norm over the objective: the finite
      difference's rounding noise is about ``eps * |J| / epsilon`` = 2e-10 |J|
      per parameter, so a gradient far below |J| cannot be resolved;
    - how close the cross-entropies' logarithms come to saturation: the
      smallest ``A`` and ``1 - A`` of a sigmoid output, the smallest
      probability of the target class of a softmax. The cost clips
      probabilities to ``[eps, 1 - eps]``, which makes it flat where the fused
      gradient ``A - Y`` is not, and it computes ``log(1 - A)`` from ``A``,
      which loses ``eps / (1 - A)`` of relative precision on the way there:
      in both cases the finite difference is of another function, or noise.
    """
    snapshot, state = net.flat.snapshot(), net.rng.bit_generator.state
    X = net.prepare(X)
    Y, _ = net.encode(y, X.shape[0])
    _, ws = net.engine.forward(X.T, training=True, rng=net.rng)
    margin = min((float(np.abs(Z).min()) for Z, a in zip(ws.Zact, net.activations)
                  if a.name in KINKED), default=math.inf)
    AL = ws.A[-1]
    saturation = {"binary_crossentropy": lambda: min(AL.min(), (1 - AL).min()),
                  "categorical_crossentropy": lambda: (AL * Y.T).sum(axis=0).min(),
                  }.get(net.loss.name, lambda: 1.0)()
    net.rng.bit_generator.state = state
    J, _ = net.engine.step_value_and_grad(X.T, Y.T, rng=net.rng)
    ratio = float(np.linalg.norm(net.flat.grad)) / max(abs(J), 1e-300)
    net.flat.restore(snapshot)
    net.rng.bit_generator.state = state
    return margin, ratio, saturation


@_settings(100)
@given(cfg=configs(dtypes=("float64",), max_depth=3))
def test_float64_gradients_pass_the_gradient_check(cfg):
    net = build(cfg)
    rng = np.random.default_rng([cfg.seed, 1])
    # Random biases (and batch-norm scales and shifts) so that no
    # pre-activation is exactly 0 by construction.
    for l, b in enumerate(net.biases):
        b[...] = 0.5 * rng.standard_normal(b.shape)
        if net.gammas[l] is not None:
            net.gammas[l][...] = 1 + 0.3 * rng.standard_normal(b.shape)
            net.betas[l][...] = 0.5 * rng.standard_normal(b.shape)
    X, y = make_data(cfg)
    margin, ratio, saturation = _conditioning(net, X, y)
    note(f"kink margin {margin:.3g}, |g|/|J| {ratio:.3g}, saturation {saturation:.3g}")
    assume(margin > 1e-4 and ratio > 1e-3 and saturation > 1e-4)
    before = net.parameters.tobytes(), net.flat.state.tobytes()
    error = barenet.gradient_check(net, X, y)
    note(f"relative error {error:.3g}")
    assert error < 1e-6
    assert (net.parameters.tobytes(), net.flat.state.tobytes()) == before


@_settings(50)
@given(cfg=configs(), fitted=st.booleans(), strings=st.booleans(),
       training_state=st.booleans())
def test_predict_after_save_and_load_is_bit_identical(cfg, fitted, strings, training_state):
    net = build(cfg)
    rng = np.random.default_rng(cfg.seed)
    X = rng.standard_normal((cfg.m, cfg.sizes[0]))
    y = make_targets(cfg, rng, strings=strings)
    fitted = fitted or cfg.task != "regression"  # a classifier predicts once fitted
    if fitted:
        net.fit(X, y, epochs=1, batch_size=max(2, cfg.m // 2))
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "model.npz")
        net.save(path, training_state=training_state and fitted)
        loaded = barenet.load(path)
    for method in (net.predict, net.forward):
        a, b = method(X), getattr(loaded, method.__name__)(X)
        assert a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
    assert loaded.parameters.dtype == net.parameters.dtype
    assert loaded.parameters.tobytes() == net.parameters.tobytes()
    assert loaded.flat.state.tobytes() == net.flat.state.tobytes()
    if net.classes_ is not None:
        assert loaded.classes_.dtype == net.classes_.dtype
        assert loaded.classes_.tolist() == net.classes_.tolist()


# ------------------------------------------------------------------ notebook

@st.composite
def notebook_problems(draw):
    depth = draw(st.integers(1, 4))
    output, loss = draw(st.sampled_from(NOTEBOOK_OUTPUT_LOSS))
    sizes = draw(st.lists(st.integers(1, 6), min_size=depth + 1, max_size=depth + 1))
    if output == "softmax" and loss == "categorical_crossentropy":
        sizes[-1] = max(sizes[-1], 2)
    acts = draw(st.lists(hidden_activations(), min_size=depth - 1, max_size=depth - 1))
    acts.append(output)
    return dict(
        sizes=sizes, acts=acts, loss=loss, m=draw(st.integers(1, 12)),
        init=draw(st.sampled_from(["he", "xavier", "random"])),
        batch_norm=draw(st.booleans()),
        keep_prob=draw(st.sampled_from([1.0, 0.8, 0.5])),
        lambd=draw(st.sampled_from([0.0, 0.1, 1.0])),
        seed=draw(st.integers(0, 2**32 - 1)),
    )


def notebook_targets(loss, n_out, m, rng):
    if loss == "binary_crossentropy":
        return rng.integers(0, 2, (n_out, m)).astype(float)
    if loss == "categorical_crossentropy":
        return np.eye(n_out)[:, rng.integers(0, n_out, m)]
    return rng.standard_normal((n_out, m))


@_settings(150)
@given(p=notebook_problems(), data=st.data())
def test_notebook_forward_and_backward_prop_shapes_and_finiteness(p, data):
    sizes, acts, m, L = p["sizes"], p["acts"], p["m"], len(p["sizes"]) - 1
    params = notebook.initialize_parameters(sizes, p["init"], p["seed"], p["batch_norm"])
    X = data.draw(hnp.arrays(np.float64, (sizes[0], m), elements=st.floats(-100, 100)),
                  label="X")
    AL, caches = notebook.forward_prop(X, acts, params, p["keep_prob"], p["seed"])
    assert AL.shape == (sizes[-1], m) and np.isfinite(AL).all()
    assert len(caches) == L
    Y = notebook_targets(p["loss"], sizes[-1], m, np.random.default_rng(p["seed"]))
    cost = notebook.cost(AL, Y, p["loss"], params, p["lambd"])
    assert math.isfinite(cost) and cost >= 0
    grads = notebook.backward_prop(AL, Y, caches, acts, p["loss"], p["lambd"])
    assert grads[f"dA{L}"].shape == AL.shape
    for l in range(1, L + 1):
        assert grads[f"dW{l}"].shape == params[f"W{l}"].shape == (sizes[l], sizes[l - 1])
        assert grads[f"db{l}"].shape == params[f"b{l}"].shape == (sizes[l], 1)
        assert grads[f"dA{l - 1}"].shape == (sizes[l - 1], m)
        if f"gamma{l}" in params:
            assert grads[f"dgamma{l}"].shape == grads[f"dbeta{l}"].shape == (sizes[l], 1)
    for key, value in grads.items():
        assert np.isfinite(value).all(), key
    # inference: no dropout, batch norm from the running statistics
    AL_test, _ = notebook.forward_prop(X, acts, params, training=False)
    assert AL_test.shape == (sizes[-1], m) and np.isfinite(AL_test).all()


def _probabilities(dtype):
    width = 32 if dtype == np.float32 else 64
    return st.one_of(st.sampled_from([0.0, 1.0]), st.floats(0, 1, width=width))


@_settings(200)
@given(data=st.data(), loss=st.sampled_from(sorted(losses.REGISTRY)),
       dtype=st.sampled_from([np.float32, np.float64]),
       shape=st.tuples(st.integers(1, 5), st.integers(1, 8)))
def test_cost_is_finite_for_any_probabilities_exact_0_and_1_included(data, loss, dtype, shape):
    AL = data.draw(hnp.arrays(dtype, shape, elements=_probabilities(dtype)), label="AL")
    if loss == "categorical_crossentropy" and data.draw(st.booleans(), label="one-hot Y"):
        Y = np.eye(shape[0], dtype=dtype)[:, data.draw(
            hnp.arrays(np.intp, shape[1], elements=st.integers(0, shape[0] - 1)))]
    else:
        Y = data.draw(hnp.arrays(dtype, shape, elements=_probabilities(dtype)), label="Y")
    AL_before = AL.copy()
    value = notebook.cost(AL, Y, loss)
    assert math.isfinite(value) and value >= 0
    assert AL.tobytes() == AL_before.tobytes()  # the cost does not clip AL in place
    assert np.isfinite(losses.get(loss).gradient(AL, Y)).all()
    assert np.isfinite(losses.get(loss).per_sample(AL, Y)).all()


# ============================================================ 2. loader fuzz

def _write(directory, name, data):
    path = os.path.join(directory, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def _load(loader, data, name):
    """Write ``data`` to a file called ``name`` and load it: return what the
    loader returns, or the allowed exception it raises; any other exception
    propagates (a bug). Either way the loader must allocate little."""
    with tempfile.TemporaryDirectory() as directory:
        path = _write(directory, name, data)
        result, peak = _traced(lambda: loader(path))
    assert peak < SMALL, f"{loader.__name__} allocated {peak} bytes"
    return result


def _traced(fn):
    """``(fn()'s result or the ALLOWED exception it raised, peak bytes traced)``;
    inside an outer trace the peak is the outer one's."""
    outer = tracemalloc.is_tracing()
    if not outer:
        tracemalloc.start()
    try:
        try:
            result = fn()
        except ALLOWED as exc:
            result = exc
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        if not outer:
            tracemalloc.stop()


def _fails_cleanly(loader, data, name, error=ValueError):
    result = _load(loader, data, name)
    assert isinstance(result, error), f"{loader.__name__} returned {result!r}"


def _zip(members):
    """A zip of ``{name: bytes}`` (stored, or deflated for a ``(bytes, True)``
    value), byte-for-byte the same on every run."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            content, deflate = content if isinstance(content, tuple) else (content, False)
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
            archive.writestr(info, content)
    return buffer.getvalue()


def _unzip(data):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: (archive.read(info), info.compress_type == zipfile.ZIP_DEFLATED)
                for info in archive.infolist()}


def _npy(array):
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def _npy_with_header(header, body=b""):
    """A version 1.0 ``.npy`` file with the header text ``header``, padded."""
    text = header.encode("latin1")
    text += b" " * (-(10 + len(text) + 1) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text + body


def _idx(code, dims, body=b""):
    return bytes([0, 0, code, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + body


_BASE = {}


def base_files():
    """The valid files that the fuzz run damages, made once."""
    if _BASE:
        return _BASE
    rng = np.random.default_rng(0)
    X = rng.standard_normal((12, 2))
    y = (X[:, 0] > 0).astype(int)
    with tempfile.TemporaryDirectory() as directory:
        model = barenet.Network([2, 3, 1], ["tanh", "sigmoid"], seed=0)
        model.fit(X, y, epochs=1, batch_size=4)
        model.save(os.path.join(directory, "model.npz"))
        checkpoint = barenet.Network([2, 4, 3], [activations.LeakyReLU(0.2), "softmax"],
                                     seed=0, batch_norm=True, dropout=0.1)
        checkpoint.fit(X, np.arange(12) % 3, epochs=2, batch_size=5, schedule="cosine",
                       validation_split=0.25)
        checkpoint.save(os.path.join(directory, "checkpoint.npz"), training_state=True)
        for name in ("model", "checkpoint"):
            with open(os.path.join(directory, f"{name}.npz"), "rb") as f:
                _BASE[name] = f.read()
    _BASE["csv"] = (b"x1,x2,label\n0.5,1.0,cat\n-1,2e-1,dog\n3,4,cat\n"
                    b" 5.25 , -6 ,dog\n\"7\",8,cat\n9,10,dog\n")
    _BASE["npz"] = _zip({"X.npy": _npy(X[:6]), "y.npy": _npy(y[:6])})
    _BASE["npz_split"] = _zip({"X_train.npy": (_npy(X[:4].reshape(4, 1, 2)), True),
                               "y_train.npy": (_npy(np.array(["a", "b", "a", "b"])), True),
                               "X_test.npy": (_npy(X[4:6].reshape(2, 1, 2)), True),
                               "y_test.npy": (_npy(np.array(["a", "b"])), True)})
    _BASE["idx"] = _idx(0x08, [2, 2, 3], bytes(range(0, 240, 20)))
    _BASE["idx_gz"] = gzip.compress(_idx(0x0B, [3], b"\x00\x01\xff\xfe\x7f\x00"), mtime=0)
    return _BASE


LOADERS = {
    "model": (barenet.load, "model.npz"),
    "checkpoint": (barenet.load, "checkpoint.npz"),
    "csv": (datasets.load_csv, "data.csv"),
    "npz": (datasets.load_npz, "data.npz"),
    "npz_split": (datasets.load_npz, "split.npz"),
    "idx": (datasets.read_idx, "images-idx3-ubyte"),
    "idx_gz": (datasets.read_idx, "labels-idx1-ubyte.gz"),
}


def test_the_fuzz_run_starts_from_valid_files():
    for kind, (loader, name) in LOADERS.items():
        result = _load(loader, base_files()[kind], name)
        assert not isinstance(result, Exception), (kind, result)


OPS = ("flip", "set", "insert", "delete", "truncate")


@st.composite
def mutated(draw, data):
    """``data`` with 1 to 4 damages: a bit flipped, a byte set, bytes inserted
    or deleted, or the end cut off."""
    data = bytearray(data)
    for op in draw(st.lists(st.sampled_from(OPS), min_size=1, max_size=4), label="ops"):
        pos = draw(st.integers(0, max(len(data) - 1, 0)), label="at")
        if op == "flip" and data:
            data[pos] ^= 1 << draw(st.integers(0, 7))
        elif op == "set" and data:
            data[pos] = draw(st.sampled_from([0, 1, 0x7F, 0x80, 0xFF]) | st.integers(0, 255))
        elif op == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=8))
        elif op == "delete":
            del data[pos:pos + draw(st.integers(1, 16))]
        elif op == "truncate":
            del data[pos:]
    return bytes(data)


@st.composite
def mutated_members(draw, data):
    """A zip whose members are damaged but whose CRCs are right, so that the
    damage reaches numpy and barenet; a member may also go missing."""
    members = _unzip(data)
    names = sorted(members)
    for name in draw(st.lists(st.sampled_from(names), min_size=1, max_size=2, unique=True)):
        content, deflate = members[name]
        members[name] = (draw(mutated(content)), deflate)
    if draw(st.integers(0, 9)) == 0:
        del members[draw(st.sampled_from(names))]
    return _zip(members)


@_settings(600)
@given(data=st.data(), kind=st.sampled_from(sorted(LOADERS)))
def test_fuzz_loaders_on_damaged_bytes(data, kind):
    loader, name = LOADERS[kind]
    _load(loader, data.draw(mutated(base_files()[kind]), label="file"), name)


@_settings(300)
@given(data=st.data(), kind=st.sampled_from(["model", "checkpoint", "npz", "npz_split"]))
def test_fuzz_npz_loaders_on_damaged_zip_members(data, kind):
    loader, name = LOADERS[kind]
    damaged = data.draw(mutated_members(base_files()[kind]), label="file")
    _load(loader, damaged, name)


# -- field-aware: JSON metadata of models and checkpoints

# Values that often break parsers: half of the replacements are one of these.
JSON_SPECIAL = st.sampled_from([0, -1, 1.5, 2**31, 2**64, 10**400, math.inf, -math.inf,
                                math.nan, "", "float64", ",f8", "adam", "relu", [], {}])
JSON_SCALARS = (st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6))
JSON_VALUES = JSON_SPECIAL | st.recursive(
    JSON_SCALARS, lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=6)


def _json_paths(value, path=()):
    yield path
    items = value.items() if isinstance(value, dict) else (
        enumerate(value) if isinstance(value, list) else ())
    for key, item in items:
        yield from _json_paths(item, path + (key,))


def _replaced(value, path, new, delete=False):
    if not path:
        return new
    value = value.copy()
    if delete and len(path) == 1 and isinstance(value, dict):
        del value[path[0]]
    else:
        value[path[0]] = _replaced(value[path[0]], path[1:], new, delete)
    return value


def _metadata(data):
    members = _unzip(data)
    return members, json.loads(np.load(io.BytesIO(members["metadata.npy"][0])).tobytes())


@st.composite
def mutated_metadata(draw, data):
    """A model file whose metadata has 1 to 3 values replaced or removed, or
    whose JSON text is damaged; the rest of the file is intact."""
    members, metadata = _metadata(data)
    if draw(st.integers(0, 3)) == 0:
        document = draw(mutated(json.dumps(metadata).encode()))
    else:
        for _ in range(draw(st.integers(1, 3))):
            path = draw(st.sampled_from(list(_json_paths(metadata))[1:]))
            metadata = _replaced(metadata, path, draw(JSON_VALUES),
                                 delete=draw(st.integers(0, 4)) == 0)
        document = json.dumps(metadata).encode()
    members["metadata.npy"] = (_npy(np.frombuffer(document, np.uint8)), False)
    return _zip(members)


@_settings(300)
@given(data=st.data(), kind=st.sampled_from(["model", "checkpoint"]))
def test_fuzz_model_metadata(data, kind):
    damaged = data.draw(mutated_metadata(base_files()[kind]), label="file")
    _load(barenet.load, damaged, "model.npz")


# -- field-aware: .npy headers inside an .npz

DESCRS = st.sampled_from(["<f8", "<f4", "<i8", "|u1", "|b1", "<c16", "<U3", "|S2", "|V0",
                          "|O", ">f4", "<M8[D]", ",f8", "f8,", "<f8(2)", "<f16"]) | st.text(
    st.characters(max_codepoint=255), max_size=5)
DIMS = st.integers(-2, 8) | st.sampled_from([2**31, 2**32, 2**62, 2**63, 2**64, 10**13])


@st.composite
def npy_headers(draw):
    shape = draw(st.lists(DIMS, max_size=3).map(tuple))
    header = repr({"descr": draw(DESCRS), "fortran_order": draw(st.booleans()), "shape": shape})
    if draw(st.integers(0, 3)) == 0:
        header = draw(mutated(header.encode())).decode("latin1")
    return _npy_with_header(header, draw(st.binary(max_size=64)))


@_settings(200)
@given(data=st.data(), kind=st.sampled_from(["model", "npz", "npz_split"]))
def test_fuzz_npy_headers_in_npz_files(data, kind):
    loader, name = LOADERS[kind]
    members = _unzip(base_files()[kind])
    target = data.draw(st.sampled_from(sorted(members)), label="member")
    members[target] = (data.draw(npy_headers(), label="npy"), members[target][1])
    _load(loader, _zip(members), name)


# -- field-aware: IDX headers

@_settings(200)
@given(code=st.sampled_from([0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E]) | st.integers(0, 255),
       dims=st.lists(st.integers(0, 4) | st.sampled_from([2**31, 2**32 - 1]), max_size=6)
       | st.lists(st.just(1), min_size=60, max_size=70),
       body=st.binary(max_size=64), compress=st.booleans())
def test_fuzz_idx_headers(code, dims, body, compress):
    data = _idx(code, dims, body)
    array = _load(datasets.read_idx, gzip.compress(data) if compress else data, "file-idx")
    if not isinstance(array, Exception):  # what the header says
        assert array.shape == tuple(dims)
        assert array.dtype == datasets.IDX_TYPES[code].newbyteorder("=")


# -- field-aware: CSV cells

CELLS = (st.sampled_from(["0", "1", "-1", "1.5", "1e19", "-9.3e18", "99999999999999999999",
                          "1e400", "nan", "inf", "-inf", "", " ", "\"", "\"\"", "a", "0x10",
                          "1_000", "\u00e9", "\x00", "NaN"])
         | st.integers().map(str) | st.floats().map(repr) | st.text(max_size=4))


@_settings(200)
@given(rows=st.lists(st.lists(CELLS, min_size=1, max_size=4).map(",".join), min_size=1,
                     max_size=8),
       header=st.booleans())
def test_fuzz_csv_cells(rows, header):
    text = ("a,b,c\n" if header else "") + "\n".join(rows) + "\n"
    _load(datasets.load_csv, text.encode("utf-8", "surrogatepass"), "data.csv")


# -- MNIST from a directory: one of the four files damaged

MNIST_ARRAYS = [np.arange(12, dtype=np.uint8).reshape(3, 2, 2), np.array([1, 2, 3], np.uint8),
                np.arange(8, dtype=np.uint8).reshape(2, 2, 2), np.array([4, 5], np.uint8)]


@_settings(60)
@given(data=st.data(), which=st.integers(0, 3), compress=st.booleans())
def test_fuzz_load_mnist_directory(data, which, compress):
    with tempfile.TemporaryDirectory() as directory:
        for i, (name, array) in enumerate(zip(datasets.MNIST_FILES, MNIST_ARRAYS)):
            content = _idx(0x08, array.shape, array.tobytes())
            if i == which:
                content = data.draw(mutated(content), label="file")
            _write(directory, name + ".gz" * compress,
                   gzip.compress(content, mtime=0) if compress else content)
        # verify=False: the parser, not the MD5 check, must meet the damage
        _, peak = _traced(lambda: datasets.load_mnist(path=directory, verify=False))
        assert peak < SMALL, peak


# -- crafted headers that claim enormous arrays fail fast, allocating nothing big

def _peak_bytes(loader, data, name):
    """Peak memory traced while ``loader`` fails on ``data`` (it must fail)."""
    tracemalloc.start()
    try:
        _fails_cleanly(loader, data, name)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("dims", [(2**31, 2**31), (2**32 - 1,) * 3, (0, 2**32 - 1, 2**32 - 1),
                                  (1,) * 65])
def test_idx_header_claiming_an_enormous_array_fails_fast(dims, compress):
    data = _idx(0x0E, dims, b"\x00" * 16)
    data = gzip.compress(data) if compress else data
    assert _peak_bytes(datasets.read_idx, data, "huge-idx") < 16 * 2**20


# ================================================= regression tests (fuzz)
#
# Each test below is a crash reduced to a minimal file: "REGRESSION (fuzz)"
# for one that the fuzz run above found, "REGRESSION (crafted)" for one of the
# same family that a hand-crafted file found while reducing it. They fail
# until the loader is fixed; they are not marked xfail so that nobody mistakes
# them for known limitations.

# A minimal zip: one stored, empty member 'X.npy' then 'y.npy'. ``_ZIP_CD`` is
# the offset of the first central-directory entry (for 'X.npy').
_ZIP = (b"PK\x03\x04\x14\x00\x00\x00\x00\x00\x00\x00!\x00\x00\x00\x00\x00\x00\x00\x00\x00"
        b"\x00\x00\x00\x00\x05\x00\x00\x00X.npyPK\x03\x04\x14\x00\x00\x00\x00\x00\x00\x00"
        b"!\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x05\x00\x00\x00y.npyPK\x01"
        b"\x02\x14\x03\x14\x00\x00\x00\x00\x00\x00\x00!\x00\x00\x00\x00\x00\x00\x00\x00\x00"
        b"\x00\x00\x00\x00\x05\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x01\x00\x00"
        b"\x00\x00X.npyPK\x01\x02\x14\x03\x14\x00\x00\x00\x00\x00\x00\x00!\x00\x00\x00\x00"
        b"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x05\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
        b"\x00\x80\x01#\x00\x00\x00y.npyPK\x05\x06\x00\x00\x00\x00\x02\x00\x02\x00f\x00\x00"
        b"\x00F\x00\x00\x00\x00\x00")
_ZIP_CD = 70


def _patched(data, offset, value):
    return data[:offset] + value + data[offset + len(value):]


NPZ_LOADERS = [pytest.param(barenet.load, id="barenet.load"),
               pytest.param(datasets.load_npz, id="load_npz")]


def test_minimal_zip_is_what_the_regression_tests_say():
    assert _ZIP == _zip({"X.npy": b"", "y.npy": b""})
    assert _ZIP[_ZIP_CD:_ZIP_CD + 4] == b"PK\x01\x02" and _ZIP.find(b"PK\x01\x02") == _ZIP_CD


# REGRESSION (fuzz): zipfile raises NotImplementedError for a member with an
# unsupported compression method (here 99, AES), a member flagged "compressed
# patched data" (flag bit 5), or an archive that needs a zip version > 6.3,
# and RuntimeError for a member flagged as encrypted (flag bit 0). Neither is
# a ValueError: barenet.load and datasets.load_npz let them escape.
@pytest.mark.parametrize("loader", NPZ_LOADERS)
@pytest.mark.parametrize("offset, value", [
    pytest.param(_ZIP_CD + 10, b"c", id="method-99-NotImplementedError"),
    pytest.param(_ZIP_CD + 8, b"\x20", id="flag-bit-5-NotImplementedError"),
    pytest.param(_ZIP_CD + 6, b"d", id="zip-version-10.0-NotImplementedError"),
    pytest.param(_ZIP_CD + 8, b"\x01", id="encrypted-RuntimeError"),
])
def test_regression_zip_features_that_zipfile_does_not_support(loader, offset, value):
    _fails_cleanly(loader, _patched(_ZIP, offset, value), "f.npz")


def _npz_with_X(member):
    """An .npz with the given 'X.npy' member bytes and a valid 'y.npy'."""
    return _zip({"X.npy": member, "y.npy": _npy(np.array([0, 1, 0, 1]))})


# REGRESSION (fuzz): a .npy header whose descr is a malformed comma-separated
# dtype string makes numpy.dtype(',f8') raise SyntaxError (from numpy's
# _commastring), which both loaders let escape.
@pytest.mark.parametrize("loader", NPZ_LOADERS)
def test_regression_npy_descr_comma_string_SyntaxError(loader):
    member = _npy_with_header("{'descr': ',f8', 'fortran_order': False, 'shape': (1,), }",
                              bytes(8))
    _fails_cleanly(loader, _npz_with_X(member), "f.npz")


# REGRESSION (fuzz): a version 1.0 .npy header that is not a Python literal
# and has an unclosed bracket makes numpy's Python-2 header filter raise
# tokenize.TokenError ('EOF in multi-line statement'), which both loaders let
# escape.
@pytest.mark.parametrize("loader", NPZ_LOADERS)
def test_regression_npy_header_unclosed_bracket_TokenError(loader):
    member = b"\x93NUMPY\x01\x00\x01\x00("  # a 1-byte header: "("
    _fails_cleanly(loader, _npz_with_X(member), "f.npz")


# REGRESSION (fuzz): a member of an .npz that is not a .npy file (no
# \x93NUMPY magic) is returned by numpy as raw bytes; load_npz then fails
# with AttributeError: 'bytes' object has no attribute 'ndim'.
def test_regression_npz_member_that_is_not_npy_AttributeError():
    _fails_cleanly(datasets.load_npz, _npz_with_X(b"hello"), "f.npz")


# REGRESSION (fuzz): numpy reads a .npy header's shape and allocates the
# array before reading any data, and does not check the shape first:
# - (10**13,) float64: MemoryError ("Unable to allocate 72.8 TiB");
# - (2**27,) float64 (crafted): no error, but 1 GiB allocated (lazily) for a
#   128-byte member before the read fails (peak traced memory checked below);
# - (2**64,): OverflowError ("Python int too large to convert to C long");
# - (0, 2**63): RuntimeWarning "invalid value encountered in reduce" (then a
#   ValueError; an error under this project's pytest settings).
# Both loaders let each escape. A loader should compare the header's shape and
# dtype with the member's size before reading it.
@pytest.mark.parametrize("loader", NPZ_LOADERS)
@pytest.mark.parametrize("shape", [
    pytest.param("(10000000000000,)", id="10**13-MemoryError"),
    pytest.param("(134217728,)", id="2**27-allocates-1GiB"),
    pytest.param("(18446744073709551616,)", id="2**64-OverflowError"),
    pytest.param("(0, 9223372036854775808)", id="0x2**63-RuntimeWarning"),
])
def test_regression_npy_header_claiming_an_enormous_array(loader, shape):
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': %s, }" % shape
    assert _peak_bytes(loader, _npz_with_X(_npy_with_header(header)), "f.npz") < 64 * 2**20


def _model_file(metadata):
    """A model file with the literal JSON ``metadata``, for a [1, 1] float64 net."""
    arrays = {"metadata": np.frombuffer(metadata, np.uint8), "parameters": np.zeros(2),
              "state": np.zeros(0)}
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _check_load_fails_cleanly(metadata):
    _fails_cleanly(barenet.load, _model_file(metadata), "model.npz",
                   error=barenet.ModelFileError)


_HEAD = b'{"format": "barenet.network", "format_version": 1, "layer_sizes": [1, 1], '
_NET = _HEAD + b'"activations": [{"name": "linear"}], "loss": "mse", "dtype": "float64"'
_RNG = (b'{"bit_generator": "PCG64", "state": {"state": 1, "inc": 1}, "has_uint32": 0, '
        b'"uinteger": 0}')


def _run(**changes):
    run = {b"optimizer": b'{"name": "gd"}', b"optimizer_arrays": b"{}", b"optimizer_t": b"0",
           b"schedule": b"null", b"random_state": _RNG, b"epochs": b"1", b"epoch": b"0",
           b"batch_size": b"1", b"shuffle": b"true", b"base_lr": b"0.01",
           b"validation_split": b"null"}
    run.update({k.encode(): v for k, v in changes.items()})
    return b"{" + b", ".join(b'"%s": %s' % item for item in run.items()) + b"}"


def test_regression_helpers_make_a_loadable_model():
    for metadata in (_NET + b"}", _NET + b', "run": ' + _run() + b"}"):
        assert isinstance(_load(barenet.load, _model_file(metadata), "m.npz"), barenet.Network)


# REGRESSION (crafted): metadata nested deeper than the recursion limit makes
# json.loads raise RecursionError (a RuntimeError), which barenet.load lets escape.
def test_regression_metadata_nested_too_deep_RecursionError():
    _check_load_fails_cleanly(b"[" * 100000)


# REGRESSION (crafted): metadata "dtype": ",f8" reaches numpy.dtype(",f8"), which
# raises SyntaxError; check_float_dtype only turns TypeError into its message,
# so barenet.load (and Network(..., dtype=",f8") itself) raises SyntaxError.
def test_regression_metadata_dtype_comma_string_SyntaxError():
    _check_load_fails_cleanly(_HEAD + b'"activations": [{"name": "linear"}], "loss": "mse", '
                              b'"dtype": ",f8"}')
    with pytest.raises((TypeError, ValueError)):
        barenet.Network([1, 1], ["linear"], dtype=",f8")


# REGRESSION (fuzz): an integer too large for a float (JSON allows any
# integer) as l2 or a leaky ReLU's slope makes check_real's float(value) raise
# OverflowError (an ArithmeticError), which barenet.load lets escape; so does
# Network(..., l2=10**400) and LeakyReLU(10**400).
@pytest.mark.parametrize("metadata, build", [
    pytest.param(_NET + b', "l2": 1' + b"0" * 400 + b"}",
                 lambda: barenet.Network([1, 1], ["linear"], l2=10**400), id="l2"),
    pytest.param(_HEAD + b'"activations": [{"name": "leaky_relu", "slope": 1' + b"0" * 400
                 + b'}], "loss": "mse", "dtype": "float64"}',
                 lambda: activations.LeakyReLU(10**400), id="slope"),
])
def test_regression_metadata_huge_integer_OverflowError(metadata, build):
    _check_load_fails_cleanly(metadata)
    with pytest.raises((TypeError, ValueError)):
        build()


# REGRESSION (fuzz, and crafted for epochs and batch_size): in a checkpoint's
# "run", an RNG state with integers out of range makes the bit generator raise
# OverflowError, and Infinity (valid JSON for Python) as epochs or batch_size
# makes int() raise OverflowError; barenet.io.checkpoint.restore_run only turns KeyError, TypeError
# and ValueError into ModelFileError.
@pytest.mark.parametrize("changes", [
    pytest.param({"epochs": b"Infinity"}, id="epochs-Infinity"),
    pytest.param({"batch_size": b"Infinity"}, id="batch_size-Infinity"),
    pytest.param({"random_state": _RNG.replace(b'"state": 1', b'"state": -1')},
                 id="rng-state-negative"),
    pytest.param({"random_state": _RNG.replace(b'"has_uint32": 0',
                                               b'"has_uint32": 1' + b"0" * 30)},
                 id="rng-has_uint32-huge"),
])
def test_regression_checkpoint_run_OverflowError(changes):
    _check_load_fails_cleanly(_NET + b', "run": ' + _run(**changes) + b"}")


# REGRESSION (fuzz): a checkpoint whose "optimizer_arrays" is a list, not an
# object, makes barenet.io.checkpoint.restore_run call list.items(): AttributeError.
def test_regression_checkpoint_optimizer_arrays_list_AttributeError():
    _check_load_fails_cleanly(_NET + b', "run": ' + _run(optimizer_arrays=b"[]") + b"}")


# REGRESSION (fuzz): integral labels beyond the int64 range ("1e19") pass
# _parse_labels' "all integral" test and are cast with astype(int64): a
# RuntimeWarning ("invalid value encountered in cast"), and outside pytest
# the labels silently become -9223372036854775808.
@pytest.mark.parametrize("label", [b"1e19", b"-9.3e18", b"99999999999999999999"])
def test_regression_csv_label_beyond_int64(label):
    data = _load(datasets.load_csv, b"0," + label + b"\n0,0\n", "data.csv")
    if not isinstance(data, Exception):  # loaded: the labels must be the file's
        labels = set(np.concatenate([data.y_train, data.y_test]).tolist())
        assert labels in ({0, float(label)}, {"0", label.decode()}), labels

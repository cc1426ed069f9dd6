"""barenet.model.layer_stats and barenet.plot.layers: what happens inside the
layers, recorded per layer and epoch, and the initialization lesson."""

import io

import numpy as np
import pytest
from matplotlib.figure import Figure

import barenet
from barenet.core.namespace import to_numpy
from barenet.model.callbacks import Callback
from barenet.model.layer_stats import QUANTITIES, LayerStatistics, init_statistics
from barenet.plot.layers import init_comparison, init_figure, layer_statistics


def figure_text(fig):
    """The figure's own texts, its title among them (``Figure.get_suptitle``
    is matplotlib 3.8's)."""
    return " ".join(text.get_text() for text in fig.texts)


def data(m=120, n=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, n))
    y = (X[:, 0] * X[:, 1] + 0.3 * X[:, -1] > 0).astype(int)
    return X, y


class Weights(Callback):
    """The test's own record of the weights: at the start, after every step
    and at every epoch's end."""

    def on_train_begin(self, model, epochs, steps_per_epoch):
        self.model, self.steps = model, {}
        self.ends = {0: self.copy()}

    def copy(self):
        return ([W.copy() for W in self.model.weights], [b.copy() for b in self.model.biases])

    def on_step_end(self, epoch, step, logs):
        self.steps.setdefault(epoch, []).append(self.copy()[0])

    def on_epoch_end(self, epoch, history):
        self.ends[epoch] = self.copy()


# ---------------------------------------------------- a direct computation

ACTS = {"tanh": (np.tanh, lambda A: 1 - A ** 2),
        "relu": (lambda Z: np.maximum(Z, 0), lambda A: (A > 0).astype(float)),
        "sigmoid": (lambda Z: 1 / (1 + np.exp(-Z)), None)}


def forward(Ws, bs, names, X):
    """Every layer's output for the rows of X, one column per sample."""
    A, outs = X.T, []
    for W, b, name in zip(Ws, bs, names):
        A = ACTS[name][0](W @ A + b)
        outs.append(A)
    return outs


def backward(Ws, bs, names, X, y, l2):
    """dZ of every layer (already divided by m) and dW, for a sigmoid output
    with binary cross-entropy, the objective's L2 penalty l2 / (2 m) sum W^2."""
    outs, m = forward(Ws, bs, names, X), X.shape[0]
    dZ = (outs[-1] - y[None, :]) / m
    dZs, dWs = [None] * len(Ws), [None] * len(Ws)
    for l in range(len(Ws) - 1, -1, -1):
        dZs[l] = dZ
        A_prev = outs[l - 1] if l else X.T
        dWs[l] = dZ @ A_prev.T + l2 / m * Ws[l]
        if l:
            dZ = (Ws[l].T @ dZ) * ACTS[names[l - 1]][1](outs[l - 1])
    return dZs, dWs


def test_the_records_equal_a_direct_computation():
    X, y = data()
    names = ["tanh", "relu", "sigmoid"]
    net = barenet.Network([3, 6, 5, 1], names, init="xavier", seed=1, dtype="float64", l2=0.01)
    stats, weights = LayerStatistics(X[:50], y[:50], delta_samples=7), Weights()
    net.fit(X, y, optimizer=barenet.Momentum(lr=0.1), epochs=3, batch_size=25,
            callbacks=[stats, weights])
    assert list(stats.epochs) == [0, 1, 2, 3]
    assert stats.layer_names == ["1 tanh", "2 relu", "3 sigmoid"]
    for r, epoch in enumerate(stats.epochs):
        Ws, bs = weights.ends[epoch]
        outs = forward(Ws, bs, names, X[:50])
        np.testing.assert_allclose(stats.activation_mean[r], [A.mean() for A in outs], rtol=1e-12)
        np.testing.assert_allclose(stats.activation_std[r], [A.std() for A in outs], rtol=1e-12)
        _, dWs = backward(Ws, bs, names, X[:50], y[:50], 0.01)
        np.testing.assert_allclose(stats.gradient_mean[r], [d.mean() for d in dWs], rtol=1e-9)
        np.testing.assert_allclose(stats.gradient_std[r], [d.std() for d in dWs], rtol=1e-10)
        # delta: each of the first 7 samples' own dJ_i/dZ_l, over samples and units
        deltas = [np.hstack(d) for d in zip(*[backward(Ws, bs, names, X[i:i + 1], y[i:i + 1],
                                                       0.0)[0] for i in range(7)])]
        np.testing.assert_allclose(stats.delta_mean[r], [d.mean() for d in deltas], rtol=1e-9)
        np.testing.assert_allclose(stats.delta_std[r], [d.std() for d in deltas], rtol=1e-10)
    # update ratio: ||W_t - W_t-1|| / ||W_t-1|| per step, averaged over the epoch
    assert np.all(np.isnan(stats.update_ratio[0]))
    for r, epoch in enumerate(stats.epochs[1:], 1):
        path = [weights.ends[epoch - 1][0]] + weights.steps[epoch]
        expected = np.mean([[np.linalg.norm(b - a) / np.linalg.norm(a) for a, b in zip(A, B)]
                            for A, B in zip(path, path[1:])], axis=0)
        np.testing.assert_allclose(stats.update_ratio[r], expected, rtol=1e-12)
    assert stats.as_dict()["layer_sizes"] == [3, 6, 5, 1]
    assert set(QUANTITIES) <= set(stats.as_dict())


# --------------------------------------------------------- training unchanged


@pytest.mark.parametrize("options", [dict(dropout=0.3, l2=0.01), dict(batch_norm=True),
                                     dict(dropout=[0.2, 0.0], standardize=True)])
def test_the_callback_does_not_change_training(options):
    X, y = data()
    nets = [barenet.Network([3, 16, 8, 1], ["relu", "tanh", "sigmoid"], seed=4, **options)
            for _ in range(2)]
    # the probe is as large as a batch: the engine's workspace is shared with training
    stats = LayerStatistics(X[:40], y[:40], every=2)
    nets[0].fit(X, y, optimizer=barenet.Adam(lr=0.01), epochs=7, batch_size=40,
                callbacks=[stats])
    nets[1].fit(X, y, optimizer=barenet.Adam(lr=0.01), epochs=7, batch_size=40)
    with_it, without = nets
    assert np.array_equal(with_it.parameters, without.parameters)
    assert np.array_equal(with_it.flat.state, without.flat.state)  # batch norm's statistics
    assert np.array_equal(with_it.flat.grad, without.flat.grad)  # the last step's, put back
    assert with_it.rng.bit_generator.state == without.rng.bit_generator.state
    assert list(stats.epochs) == [0, 2, 4, 6, 7]
    assert np.all(np.isfinite(stats.gradient_std)) and np.all(stats.gradient_std > 0)
    assert np.isnan(stats.delta_std).all() == bool(options.get("batch_norm"))


@pytest.mark.parametrize("library", ["torch", "array_api_strict"])
def test_on_another_library_the_records_are_numpys(library):
    xp = pytest.importorskip(library)
    X, y = data(m=60)

    def run(convert, stats):
        net = barenet.Network([3, 6, 5, 1], ["tanh", "relu", "sigmoid"], seed=0,
                              dtype="float64", dropout=0.2)
        net.fit(convert(X), y, epochs=3, batch_size=20, callbacks=[stats] if stats else None)
        return np.asarray(to_numpy(net.parameters))

    # a NumPy probe goes to the network's library
    ours, theirs = (LayerStatistics(X[:20], y[:20], delta_samples=4) for _ in range(2))
    assert np.allclose(run(np.asarray, ours), run(xp.asarray, theirs), rtol=1e-10)
    for name in QUANTITIES:
        np.testing.assert_allclose(getattr(theirs, name), getattr(ours, name), rtol=1e-9,
                                   atol=1e-300)
    probe = LayerStatistics(xp.asarray(X), y)
    assert np.array_equal(run(xp.asarray, None), run(xp.asarray, probe))


def test_memory_is_bounded_by_thinning():
    X, y = data(m=40)
    net = barenet.Network([3, 4, 1], ["tanh", "sigmoid"], seed=0)
    stats = LayerStatistics(X, y, max_records=5, delta_samples=2)
    net.fit(X, y, epochs=45, batch_size=40, callbacks=[stats])
    epochs = list(stats.epochs)
    assert len(epochs) <= 5 and epochs[0] == 0 and epochs[-1] == 45
    assert stats.spacing == 16 and epochs == [0, 16, 32, 45]
    assert stats.activation_std.shape == (4, 2)
    # a second run records afresh
    net.fit(X, y, epochs=3, batch_size=40, callbacks=[stats])
    assert list(stats.epochs) == [0, 1, 2, 3] and stats.spacing == 1


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(every=0), ValueError, "every must be >= 1"),
    (dict(every=1.5), TypeError, "every must be an integer"),
    (dict(max_records=2), ValueError, "max_records must be >= 3"),
    (dict(delta_samples=-1), ValueError, "delta_samples must be >= 0"),
    (dict(y=np.zeros(5)), ValueError, "y has 5 samples but X has 10"),
    (dict(X=np.full((10, 3), np.nan)), ValueError, "X contains NaN"),
    (dict(X=np.zeros(10)), ValueError, "X must be 2-D"),
])
def test_bad_arguments_are_refused_at_once(kwargs, error, words):
    X, y = data(m=10)
    arguments = {"X": X, "y": y, **kwargs}
    with pytest.raises(error, match=words) as caught:
        LayerStatistics(**arguments)
    assert "\n" not in str(caught.value)


def test_a_probe_the_network_cannot_take_is_refused_before_any_step():
    X, y = data()
    net = barenet.Network([3, 4, 1], ["tanh", "sigmoid"], seed=0)
    start = net.parameters.copy()
    for stats, words in [(LayerStatistics(X[:, :2], y), "LayerStatistics's X has 2 features"),
                         (LayerStatistics(X, y + 5), "LayerStatistics's y")]:
        with pytest.raises(ValueError, match=words) as caught:
            net.fit(X, y, epochs=2, callbacks=[stats])
        assert "\n" not in str(caught.value)
        assert np.array_equal(net.parameters, start) and len(stats.epochs) == 0


def test_init_statistics_refuses_bad_arguments():
    X, y = data(m=10)
    for kwargs, words in [(dict(activations="tanh"), "activations"),
                          (dict(inits=("random", "lecun")), "inits"),
                          (dict(optimizer=barenet.GD()), "optimizer"),
                          (dict(depth=0), "depth"), (dict(lr=-1.0), "lr")]:
        with pytest.raises(ValueError, match=words):
            init_statistics(X, y, **kwargs)


# ------------------------------------------------------------------ the lesson


@pytest.fixture(scope="module")
def lesson():
    dataset = barenet.datasets.make_moons(n_samples=400, seed=0)
    return init_statistics(dataset.X_train, dataset.y_train, depth=10, width=64, epochs=2,
                           probe=200)


def spread(stats, name, layer):
    return getattr(stats, name)[0, layer - 1]  # at the start of training


def test_small_random_weights_let_the_signal_vanish(lesson):
    for activation in ("tanh", "relu"):
        stats = lesson[activation]["random"]
        # forward: each layer multiplies the spread by about 0.01 * sqrt(64) = 0.08
        assert spread(stats, "activation_std", 10) < 1e-8 * spread(stats, "activation_std", 1)
        # backward: the same for the back-propagated gradient, from the last layer down
        assert spread(stats, "delta_std", 1) < 1e-8 * spread(stats, "delta_std", 10)
        # the weight gradients, their product, are tiny at every layer
        he = lesson[activation]["he"]
        assert np.all(stats.gradient_std[0, :-1] < 1e-9 * he.gradient_std[0, :-1])


@pytest.mark.parametrize("activation, init", [("relu", "he"), ("tanh", "xavier"),
                                              ("tanh", "he")])
def test_the_right_init_keeps_the_signal_alive(lesson, activation, init):
    stats = lesson[activation][init]
    for name in ("activation_std", "delta_std"):
        ratio = spread(stats, name, 10) / spread(stats, name, 1)
        assert 1 / 4 < ratio < 4, (name, ratio)


def test_xavier_lets_relu_layers_fade(lesson):
    # ReLU halves the variance Xavier keeps: 1/sqrt(2) per layer
    stats = lesson["relu"]["xavier"]
    assert spread(stats, "activation_std", 10) < 0.1 * spread(stats, "activation_std", 1)


# ----------------------------------------------------------------- the pictures


def test_layer_statistics_draws_a_line_per_record():
    X, y = data()
    net = barenet.Network([3, 8, 8, 1], ["relu", "relu", "sigmoid"], seed=0)
    stats = LayerStatistics(X, y, every=2)
    net.fit(X, y, epochs=6, batch_size=30, callbacks=[stats])
    fig = layer_statistics(stats)
    assert isinstance(fig, Figure)
    axes = [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]
    assert len(axes) == 4 and all(ax.get_yscale() == "log" for ax in axes)
    assert [len(ax.lines) for ax in axes] == [4, 4, 4, 5]  # the last: the 1e-3 mark
    assert "1-2 relu, 3 sigmoid" in figure_text(fig)
    # delta_l = dJ/dZ_l, J the objective of a batch of one sample (no J_i or J_l to puzzle over)
    assert axes[1].get_title() == \
        r"std of $\delta_l = \partial J / \partial Z_l$ (backward, per sample)"
    means = layer_statistics(stats.as_dict(), quantities=("activation_mean", "gradient_mean"),
                             title="means")
    assert [ax.get_yscale() for ax in means.axes[:2]] == ["linear", "linear"]
    fig.savefig(io.BytesIO(), format="png")
    with pytest.raises(ValueError, match="quantities"):
        layer_statistics(stats, quantities=("loss",))
    with pytest.raises(ValueError, match="stats must be"):
        layer_statistics(LayerStatistics(X, y))


def test_init_figure_compares_the_inits_per_activation(lesson):
    fig = init_figure(lesson)
    axes = np.array(fig.axes).reshape(2, 3)
    assert all(ax.get_yscale() == "log" for ax in axes.ravel())
    assert [len(ax.lines) for ax in axes.ravel()] == [6] * 6  # 3 inits, start and end
    assert axes[1, 0].get_title().startswith("relu")
    assert "10 hidden layers of 64 units from 3 initializations" in figure_text(fig)
    assert "after 2 epochs (dashed)" in figure_text(fig)  # how they trained is not known
    assert r"$\delta_l = \partial J / \partial Z_l$" in axes[0, 1].get_title()
    assert len(axes[0, 0].lines[0].get_xdata()) == 10  # the hidden layers
    told = init_figure(lesson, trained="Adam, lr 0.01, batch 16")
    assert "after 2 epochs of Adam, lr 0.01, batch 16 (dashed)" in figure_text(told)
    with pytest.raises(ValueError, match="trained") as info:
        init_figure(lesson, trained="")
    assert "\n" not in str(info.value)
    with pytest.raises(ValueError, match="quantities"):
        init_figure(lesson, quantities=("activation_mean",))


def test_init_comparison_trains_and_draws():
    X, y = data(m=60)
    fig = init_comparison(X, y, depth=3, width=8, activations=("relu",), epochs=1)
    assert len(fig.axes) == 3
    # the title says how they trained: init_statistics's defaults here ...
    assert "after 1 epoch of GD, lr 0.1, batch 32 (dashed)" in figure_text(fig)
    fig.savefig(io.BytesIO(), format="png")
    # ... and what was asked for there
    fig = init_comparison(X, y, depth=2, width=4, activations=("tanh",), inits=("he",),
                          epochs=2, optimizer="momentum", lr=0.05, batch_size=20)
    assert "after 2 epochs of Momentum, lr 0.05, batch 20 (dashed)" in figure_text(fig)

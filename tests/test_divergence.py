"""A divergence leaves a model whose predictions are finite: the training loop
puts back the parameters (and batch-normalization statistics) of an epoch
start whose inference pass over the training data is finite, and says which.

Each run that diverges is compared bit for bit with a second run of the same
seed stopped by a callback at the end of the epoch before the one named: its
parameters are those of the named epoch's start."""

import re

import numpy as np
import pytest

import barenet
from barenet.callbacks import Callback, EarlyStopping
from barenet.datasets import make_moons


class StopAfter(Callback):
    """Stops training at the end of epoch ``epoch``."""

    def __init__(self, epoch):
        self.epoch = epoch

    def on_epoch_end(self, epoch, history):
        return epoch == self.epoch


class Interrupt(Callback):
    """Ctrl-C after step ``step`` of epoch ``epoch``."""

    def __init__(self, epoch, step):
        self.at = (epoch, step)

    def on_step_end(self, epoch, step, logs):
        if (epoch, step) == self.at:
            raise KeyboardInterrupt


def moons(n_samples=160, scale=1.0):
    data = make_moons(n_samples=n_samples, seed=0)
    return data.X_train * scale, data.y_train


def regression_data(m=48):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(m, 3))
    return X, 10 * (np.sin(X[:, 0]) + 0.5 * X[:, 1] * X[:, 2])


def diverge(make, X, y, optimizer, epochs=100, batch_size=16):
    """Train ``make()`` until it diverges; returns the network and the error."""
    net = make()
    with pytest.raises(barenet.TrainingDiverged) as info:
        net.fit(X, y, optimizer=optimizer(), epochs=epochs, batch_size=batch_size)
    return net, info.value


def named_epoch(error):
    """The epoch whose start the message names, checked against the attribute."""
    match = re.search(r"the parameters are those of the start of epoch (\d+)", str(error))
    assert match, str(error)
    assert int(match.group(1)) == error.restored_epoch
    return error.restored_epoch


def parameters_at_start_of(make, X, y, optimizer, epoch, batch_size=16):
    """The model of a second run (same seed) at the start of ``epoch``."""
    net = make()
    if epoch > 1:
        net.fit(X, y, optimizer=optimizer(), epochs=100, batch_size=batch_size,
                callbacks=[StopAfter(epoch - 1)])
        assert net.history_.epochs == epoch - 1
    return net


def test_unscaled_inputs_and_a_huge_rate_end_with_finite_predictions():
    """Inputs in the thousands, GD(lr=1e6), float32: the last finite
    parameters before the failing step are far too large to predict with
    (their outputs are nan); the model ends with parameters that predict."""
    X, y = moons(400, scale=1e3)

    def make():
        return barenet.Network([2, 16, 1], ["relu", "sigmoid"], seed=0, dtype="float32")

    net, error = diverge(make, X, y, lambda: barenet.GD(lr=1e6), batch_size=32)
    named_epoch(error)
    assert error.epoch >= error.restored_epoch and error.step >= 1
    assert error.what in ("loss", "gradient", "update")
    assert "learning rate" in str(error)
    # RuntimeWarnings are errors in this test suite: no overflow on the way either
    P = net.predict_proba(X)
    assert P.shape == (len(X), 2) and np.isfinite(P).all()


def test_a_divergence_at_the_first_step_keeps_the_initial_parameters():
    """The first update overflows (float32, lr = 1e38): the model keeps the
    parameters it was made with, bit for bit."""
    X, y = regression_data()

    def make():
        return barenet.Network([3, 8, 1], ["relu", "linear"], seed=3, dtype="float32")

    net, error = diverge(make, X * 1e3, y, lambda: barenet.GD(lr=1e38))
    assert (error.epoch, error.step, error.what) == (1, 1, "update")
    assert named_epoch(error) == 1
    assert "the ones training started from" in str(error)
    np.testing.assert_array_equal(net.parameters, make().parameters)


def overflows(net, X):
    """Whether the inference pass of ``net`` over ``X`` meets an overflow or a nan."""
    try:
        with np.errstate(over="raise", invalid="raise"):
            # the engine's pass itself: forward raises a ValueError for non-finite outputs
            return not np.isfinite(net.engine.infer(net.prepare(X))).all()
    except FloatingPointError:
        return True


@pytest.mark.parametrize("scale, lr, optimizer, back", [
    (10, 10.0, barenet.GD, 0),         # diverges at step 6: that epoch's start
    (10, 100.0, barenet.Momentum, 1),  # diverges at step 1: the epoch before
    (100, 1.0, barenet.GD, 1),         # step 2, but that epoch's start overflows: the one before
])
def test_a_later_divergence_restores_exactly_the_epoch_start_it_names(scale, lr, optimizer,
                                                                       back):
    X, y = moons(scale=scale)

    def make():
        return barenet.Network([2, 8, 1], ["relu", "sigmoid"], seed=0, dtype="float64")

    net, error = diverge(make, X, y, lambda: optimizer(lr=lr))
    restored = named_epoch(error)
    assert restored == error.epoch - back > 1
    reference = parameters_at_start_of(make, X, y, lambda: optimizer(lr=lr), restored)
    np.testing.assert_array_equal(net.parameters, reference.parameters)
    assert not overflows(net, X)
    if error.step > 1 and back:  # the diverging epoch's start was passed over: rightly
        later = parameters_at_start_of(make, X, y, lambda: optimizer(lr=lr), error.epoch)
        assert overflows(later, X)


@pytest.mark.parametrize("lr, optimizer", [(0.3, barenet.GD), (3.0, barenet.Momentum)])
def test_batch_normalization_statistics_are_restored_with_the_parameters(lr, optimizer):
    X, y = regression_data()

    def make():
        return barenet.Network([3, 8, 1], ["relu", "linear"], seed=0, batch_norm=True,
                               dtype="float64")

    net, error = diverge(make, X, y, lambda: optimizer(lr=lr), epochs=60, batch_size=8)
    restored = named_epoch(error)
    reference = parameters_at_start_of(make, X, y, lambda: optimizer(lr=lr), restored,
                                       batch_size=8)
    np.testing.assert_array_equal(net.parameters, reference.parameters)
    for ours, theirs in zip(net.running_means + net.running_vars,
                            reference.running_means + reference.running_vars):
        if ours is not None:
            np.testing.assert_array_equal(ours, theirs)
    assert np.isfinite(net.predict(X)).all()


def test_an_epoch_whose_loss_overflows_alone_is_a_divergence():
    """With L2 and a rate far too large the weights grow, alternating in
    sign, until the penalty (a sum of squares) overflows in float32 while
    every gradient is still finite: the epoch's loss is not finite, and
    training stops instead of recording it."""
    X, y = moons()

    def make():
        return barenet.Network([2, 1], ["sigmoid"], seed=0, l2=1.0, dtype="float32")

    net, error = diverge(make, X, y, lambda: barenet.GD(lr=1000.0), epochs=200,
                         batch_size=None)
    assert error.what == "loss" and error.step is None
    assert f"over epoch {error.epoch};" in str(error)
    assert all(np.isfinite(net.history_["loss"]))
    restored = named_epoch(error)
    reference = parameters_at_start_of(make, X, y, lambda: barenet.GD(lr=1000.0), restored,
                                       batch_size=None)
    np.testing.assert_array_equal(net.parameters, reference.parameters)


def test_early_stopping_puts_back_its_best_epoch_after_the_restore():
    X, y = moons(scale=10)
    X_val, y_val = X[:40], y[:40]

    def make():
        return barenet.Network([2, 8, 1], ["relu", "sigmoid"], seed=0, dtype="float64")

    net = make()
    stopper = EarlyStopping(monitor="val_loss", patience=1000)
    with pytest.raises(barenet.TrainingDiverged) as info:
        net.fit(X, y, optimizer=barenet.GD(lr=10.0), epochs=100, batch_size=16,
                validation_data=(X_val, y_val), callbacks=[stopper])
    error = info.value
    assert stopper.best_epoch is not None and stopper.best_epoch + 1 != error.restored_epoch
    assert error.restored_epoch is None
    assert "a callback changed them as training ended" in str(error)
    reference = parameters_at_start_of(make, X, y, lambda: barenet.GD(lr=10.0),
                                       stopper.best_epoch + 1)
    np.testing.assert_array_equal(net.parameters, reference.parameters)


def test_an_immediate_ctrl_c_keeps_the_parameters_as_they_are():
    X, y = moons()

    def make():
        return barenet.Network([2, 8, 1], ["relu", "sigmoid"], seed=0, dtype="float64")

    net = make()
    with pytest.raises(KeyboardInterrupt):
        net.fit(X, y, optimizer=barenet.GD(lr=0.5), epochs=10, batch_size=16,
                callbacks=[Interrupt(3, 4)])
    start = parameters_at_start_of(make, X, y, lambda: barenet.GD(lr=0.5), 3)
    # a KeyboardInterrupt raised mid-epoch (a second Ctrl-C): no divergence restore
    assert not np.array_equal(net.parameters, start.parameters)  # four steps of epoch 3 kept
    assert np.isfinite(net.parameters).all()

"""Training features of Network.fit: early stopping, validation_split, the
Callback protocol and the progress bar, sample and class weights, learning-rate
schedules, and saving a model trained with all of them."""

import copy
import io
import json
import math
import os
import signal

import numpy as np
import pytest

import barenet
from barenet import optimizers
from barenet.callbacks import Callback, EarlyStopping, ProgressBar
from barenet.errors import NotFittedError, TrainingDiverged
from barenet.gradcheck import numerical_gradient, relative_error
from barenet.schedules import CosineDecay, ExponentialDecay, InverseTimeDecay, StepDecay


# ----------------------------------------------------------------- helpers


def blobs(m=30, n_classes=3, seed=0):
    rng = np.random.default_rng(seed)
    centers = np.array([[0.0, 3.0], [3.0, -2.0], [-3.0, -2.0]])[:n_classes]
    y = np.arange(m) % n_classes
    X = centers[y] + rng.normal(scale=1.0, size=(m, 2))
    return X, y


def binary_data(m=24, seed=0, labels=(0, 1)):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, 2))
    y = np.where(X[:, 0] - X[:, 1] > 0, labels[1], labels[0])
    return X, y


def regression_data(m=24, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, 3))
    y = np.sin(X[:, 0]) + 0.5 * X[:, 1] * X[:, 2]
    return X, y


def classifier(seed=0, dtype="float64", **kwargs):
    return barenet.Network([2, 6, 3], ["tanh", "softmax"], seed=seed, dtype=dtype, **kwargs)


def regressor(seed=0, dtype="float64", **kwargs):
    return barenet.Network([3, 5, 1], ["tanh", "linear"], seed=seed, dtype=dtype, **kwargs)


def same_history(h1, h2):
    assert sorted(h1) == sorted(h2)
    for key in h1:
        assert h1[key] == h2[key], key


class Recorder(Callback):
    """Records every call; stops after epoch ``stop_at`` when given."""

    def __init__(self, stop_at=None):
        self.stop_at = stop_at
        self.events = []

    def on_train_begin(self, model, epochs, steps_per_epoch):
        self.model = model
        self.events.append(("train_begin", epochs, steps_per_epoch))

    def on_epoch_begin(self, epoch):
        self.events.append(("epoch_begin", epoch))

    def on_step_end(self, epoch, step, logs):
        self.events.append(("step", epoch, step, dict(logs)))

    def on_epoch_end(self, epoch, history):
        self.events.append(("epoch_end", epoch, history.epochs, history is self.model.history_))
        return epoch == self.stop_at

    def on_train_end(self, history):
        self.events.append(("train_end", history.epochs))

    def kinds(self):
        return [event[:2] if event[0] != "train_begin" else event[:1] for event in self.events]


class EpochStates(Callback):
    """Copies of the parameters, running statistics and outputs at each epoch's end."""

    def __init__(self, X):
        self.X = X
        self.states = {}

    def on_train_begin(self, model, epochs, steps_per_epoch):
        self.model = model

    def on_epoch_end(self, epoch, history):
        net = self.model
        self.states[epoch] = {
            "parameters": net.parameters.copy(),
            "means": [None if a is None else a.copy() for a in net.running_means],
            "vars": [None if a is None else a.copy() for a in net.running_vars],
            "output": net.forward(self.X),
        }
        return False


def assert_state_is(net, state, X):
    np.testing.assert_array_equal(net.parameters, state["parameters"], strict=True)
    for now, then in zip(net.running_means + net.running_vars, state["means"] + state["vars"]):
        if then is None:
            assert now is None
        else:
            np.testing.assert_array_equal(now, then, strict=True)
    np.testing.assert_array_equal(net.forward(X), state["output"], strict=True)


def script_validation(net, losses, metrics=None):
    """Make ``net``'s per-epoch validation scores follow the given sequences."""
    calls = []
    metrics = metrics if metrics is not None else [0.5] * len(losses)

    def fake_scores(X, Y):
        i = len(calls)
        calls.append(i)
        return {"loss": losses[i], net.metric_name: metrics[i]}

    net.engine.scores = fake_scores
    return calls


def untouched(net):
    """A check that ``net`` is exactly as before whatever happens next."""
    parameters, state = net.parameters.copy(), net.flat.state.copy()
    attributes = (net.classes_, net.history_, net.optimizer_, net.fit_config_)

    def check():
        np.testing.assert_array_equal(net.parameters, parameters, strict=True)
        np.testing.assert_array_equal(net.flat.state, state, strict=True)
        now = (net.classes_, net.history_, net.optimizer_, net.fit_config_)
        changed = [name for name, a, b in zip(
            ("classes_", "history_", "optimizer_", "fit_config_"), now, attributes) if a is not b]
        assert not changed, f"fit changed {changed} and then raised"

    return check


def reference_early_stopping(values, patience, min_delta, maximize):
    """Keras's rule, written out: ``(stopped_epoch, best_epoch, best)``."""
    best, best_epoch, wait = (-math.inf if maximize else math.inf), None, 0
    for epoch, value in enumerate(values, 1):
        gain = value - best if maximize else best - value
        if gain > min_delta:
            best, best_epoch, wait = value, epoch, 0
        else:
            wait += 1
            if wait >= patience:
                return epoch, best_epoch, best
    return None, best_epoch, best


# ----------------------------------------------------------- early stopping

# A validation curve with exact binary fractions, so that every comparison
# with min_delta is exact: best values at epochs 3 (0.5), 6 (0.4375), 11 (0.25).
VAL_LOSS = [1.0, 0.75, 0.5, 0.625, 0.5, 0.4375, 0.5, 0.46875, 0.453125, 0.5, 0.25] + [0.3125] * 9


@pytest.mark.parametrize(
    "patience, min_delta, stopped, best_epoch",
    [
        (0, 0.0, 4, 3),  # the first epoch without improvement
        (1, 0.0, 4, 3),
        (2, 0.0, 5, 3),  # an equal value (epoch 5) is no improvement
        (3, 0.0, 9, 6),
        (5, 0.0, 16, 11),
        (3, 0.125, 6, 3),  # epoch 6 improves by 0.0625 only
        (4, 0.0625, 7, 3),  # an improvement of exactly min_delta does not count
        (30, 0.0, None, 11),  # never stops
    ],
)
def test_early_stopping_stops_at_the_keras_epoch(patience, min_delta, stopped, best_epoch):
    X, y = blobs()
    net = classifier()
    calls = script_validation(net, VAL_LOSS)
    stopper = EarlyStopping(patience=patience, min_delta=min_delta, restore_best=False)
    history = net.fit(X, y, epochs=len(VAL_LOSS), batch_size=10, validation_data=(X, y),
                      callbacks=[stopper])
    epochs_run = len(VAL_LOSS) if stopped is None else stopped
    assert history.epochs == epochs_run == len(calls)
    assert history["val_loss"] == VAL_LOSS[:epochs_run]
    assert stopper.stopped_epoch == stopped
    assert stopper.best_epoch == best_epoch
    assert stopper.best == VAL_LOSS[best_epoch - 1]
    assert (stopped, best_epoch, stopper.best) == reference_early_stopping(
        VAL_LOSS, patience, min_delta, maximize=False)


VAL_ACCURACY = [0.5, 0.75, 0.75, 0.625, 1.0, 0.875, 0.875, 0.875, 0.875, 0.875]


@pytest.mark.parametrize(
    "mode, patience, stopped, best_epoch",
    [
        ("auto", 2, 4, 2),  # accuracies are maximized
        ("max", 2, 4, 2),
        ("auto", 3, 8, 5),
        ("min", 3, 4, 1),  # told to minimize, only the first epoch is "best"
    ],
)
def test_early_stopping_maximizes_accuracy(mode, patience, stopped, best_epoch):
    X, y = blobs()
    net = classifier()
    script_validation(net, [1.0] * len(VAL_ACCURACY), VAL_ACCURACY)
    stopper = EarlyStopping("val_accuracy", patience=patience, mode=mode, restore_best=False)
    history = net.fit(X, y, epochs=len(VAL_ACCURACY), batch_size=10, validation_data=(X, y),
                      callbacks=[stopper])
    assert history.epochs == stopped
    assert (stopper.stopped_epoch, stopper.best_epoch) == (stopped, best_epoch)
    assert stopper.best == VAL_ACCURACY[best_epoch - 1]


def test_early_stopping_mode_max_on_a_loss():
    X, y = blobs()
    net = classifier()
    script_validation(net, VAL_LOSS)
    stopper = EarlyStopping("val_loss", patience=2, mode="max", restore_best=False)
    net.fit(X, y, epochs=len(VAL_LOSS), batch_size=10, validation_data=(X, y), callbacks=[stopper])
    # 1.0 at epoch 1 is the largest; epochs 2 and 3 are smaller
    assert (stopper.stopped_epoch, stopper.best_epoch, stopper.best) == (3, 1, 1.0)


def test_early_stopping_on_a_regressor_minimizes_val_mae():
    X, y = regression_data()
    net = regressor()
    maes = [0.5, 0.25, 0.375, 0.5, 0.125, 0.25, 0.25, 0.25]
    script_validation(net, [1.0] * len(maes), maes)
    stopper = EarlyStopping("val_mae", patience=2, restore_best=False)
    net.fit(X, y, epochs=len(maes), batch_size=8, validation_data=(X, y), callbacks=[stopper])
    assert (stopper.stopped_epoch, stopper.best_epoch, stopper.best) == (4, 2, 0.25)


@pytest.mark.parametrize("batch_norm", [False, True])
@pytest.mark.parametrize("restore_best", [True, False])
def test_early_stopping_restores_the_best_epoch(restore_best, batch_norm):
    X, y = blobs(m=40)
    net = barenet.Network([2, 8, 8, 3], ["relu", "relu", "softmax"], seed=3, dtype="float32",
                          batch_norm=batch_norm)
    losses = [1.0, 0.5, 0.75, 0.875, 0.9375, 0.25]
    script_validation(net, losses)
    states = EpochStates(X)
    stopper = EarlyStopping(patience=3, restore_best=restore_best)
    history = net.fit(X, y, optimizer=barenet.Adam(lr=0.05), epochs=len(losses), batch_size=8,
                      validation_data=(X, y), callbacks=[states, stopper])
    assert history.epochs == 5 and stopper.stopped_epoch == 5 and stopper.best_epoch == 2
    # training moved the model after the best epoch, running statistics included
    assert not np.array_equal(states.states[2]["parameters"], states.states[5]["parameters"])
    if batch_norm:
        assert not np.array_equal(states.states[2]["means"][0], states.states[5]["means"][0])
    assert_state_is(net, states.states[2 if restore_best else 5], X)


def test_early_stopping_restores_even_when_training_runs_to_the_end():
    X, y = blobs()
    net = classifier(batch_norm=True)
    losses = [1.0, 0.5, 0.75, 0.875]
    script_validation(net, losses)
    states = EpochStates(X)
    stopper = EarlyStopping(patience=10)
    net.fit(X, y, epochs=4, batch_size=10, validation_data=(X, y), callbacks=[states, stopper])
    assert stopper.stopped_epoch is None and stopper.best_epoch == 2
    assert_state_is(net, states.states[2], X)


def test_early_stopping_on_training_loss_needs_no_validation():
    X, y = blobs()
    net = classifier()
    # nothing after the first epoch can improve by more than min_delta
    stopper = EarlyStopping("loss", patience=2, min_delta=1e6, restore_best=False)
    history = net.fit(X, y, epochs=20, batch_size=10, callbacks=[stopper])
    assert "val_loss" not in history
    assert history.epochs == 3
    assert (stopper.stopped_epoch, stopper.best_epoch, stopper.best) == (3, 1, history["loss"][0])

    net = classifier(seed=1)
    stopper = EarlyStopping("accuracy", patience=3)
    history = net.fit(X, y, optimizer=barenet.GD(lr=0.5), epochs=25, batch_size=10,
                      callbacks=[stopper])
    expected = reference_early_stopping(history["accuracy"], 3, 0.0, maximize=True)
    assert (stopper.stopped_epoch, stopper.best_epoch, stopper.best) == expected


@pytest.mark.parametrize("monitor", ["val_loss", "val_accuracy"])
def test_monitoring_validation_without_validation_raises_before_training(monitor):
    X, y = blobs()
    net = classifier()
    check = untouched(net)
    with pytest.raises(ValueError, match="validation"):
        net.fit(X, y, epochs=2, callbacks=[EarlyStopping(monitor)])
    check()


@pytest.mark.parametrize(
    "make_net, data, monitor",
    [
        (classifier, blobs, "val_mae"),
        (classifier, blobs, "bogus"),
        (classifier, blobs, "lr"),
        (regressor, regression_data, "accuracy"),
        (regressor, regression_data, "val_accuracy"),
    ],
)
def test_unknown_monitor_raises_before_training(make_net, data, monitor):
    X, y = data()
    net = make_net()
    check = untouched(net)
    with pytest.raises(ValueError, match=repr(monitor)):
        net.fit(X, y, epochs=2, validation_data=(X, y), callbacks=[EarlyStopping(monitor)])
    check()


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"monitor": 3}, TypeError),
        ({"monitor": None}, TypeError),
        ({"patience": -1}, ValueError),
        ({"patience": 1.5}, TypeError),
        ({"patience": True}, TypeError),
        ({"min_delta": -0.1}, ValueError),
        ({"min_delta": float("nan")}, ValueError),
        ({"min_delta": "0.1"}, TypeError),
        ({"mode": "bogus"}, ValueError),
        ({"mode": None}, ValueError),
    ],
)
def test_early_stopping_checks_its_arguments(kwargs, error):
    with pytest.raises(error):
        EarlyStopping(**kwargs)


def test_early_stopping_can_be_reused_across_fits():
    X, y = blobs()
    stopper = EarlyStopping(patience=1, restore_best=False)
    net = classifier()
    script_validation(net, [1.0, 2.0, 3.0])
    net.fit(X, y, epochs=3, batch_size=10, validation_data=(X, y), callbacks=[stopper])
    assert (stopper.stopped_epoch, stopper.best_epoch) == (2, 1)
    net = classifier()
    script_validation(net, [3.0, 2.0, 1.0])
    net.fit(X, y, epochs=3, batch_size=10, validation_data=(X, y), callbacks=[stopper])
    assert (stopper.stopped_epoch, stopper.best_epoch, stopper.best) == (None, 3, 1.0)


# --------------------------------------------------------- validation_split


def split_of(net, n, fraction):
    """The (held, kept) indices fit(validation_split=fraction) will draw."""
    order = copy.deepcopy(net.rng).permutation(n)
    n_val = int(round(fraction * n))
    return order[:n_val], order[n_val:]


def test_validation_split_holds_samples_out():
    X, y = blobs(m=40)
    net = classifier(seed=5)
    held, kept = split_of(net, len(X), 0.25)
    assert len(held) == 10
    sizes = Recorder()
    history = net.fit(X, y, optimizer=barenet.GD(lr=0.3), epochs=5, batch_size=None,
                      shuffle=False, validation_split=0.25, callbacks=[sizes])
    assert {"val_loss", "val_accuracy"} <= set(history)
    assert len(history["val_loss"]) == history.epochs == 5
    steps = [event for event in sizes.events if event[0] == "step"]
    assert [event[3]["size"] for event in steps] == [30] * 5
    assert sizes.events[0] == ("train_begin", 5, 1)
    # the last validation figures are those of the held-out samples
    scores = net.evaluate(X[held], y[held])
    assert history["val_loss"][-1] == scores["loss"]
    assert history["val_accuracy"][-1] == scores["accuracy"]

    # training on the split is training on the kept samples, bit for bit
    twin = classifier(seed=5)
    twin_history = twin.fit(X[kept], y[kept], optimizer=barenet.GD(lr=0.3), epochs=5,
                            batch_size=None, shuffle=False, validation_data=(X[held], y[held]))
    np.testing.assert_array_equal(net.parameters, twin.parameters, strict=True)
    same_history(history, twin_history)


def test_validation_split_keeps_the_weights_of_the_kept_samples():
    X, y = blobs(m=40)
    w = np.random.default_rng(1).uniform(0.0, 2.0, size=len(X))
    net = classifier(seed=2)
    held, kept = split_of(net, len(X), 0.3)
    history = net.fit(X, y, optimizer=barenet.GD(lr=0.3), epochs=4, batch_size=None,
                      shuffle=False, validation_split=0.3, sample_weight=w)
    twin = classifier(seed=2)
    twin_history = twin.fit(X[kept], y[kept], optimizer=barenet.GD(lr=0.3), epochs=4,
                            batch_size=None, shuffle=False, validation_data=(X[held], y[held]),
                            sample_weight=w[kept])
    np.testing.assert_array_equal(net.parameters, twin.parameters, strict=True)
    same_history(history, twin_history)


def test_validation_split_is_deterministic_per_seed():
    X, y = blobs(m=40)
    runs = []
    for seed in (7, 7, 8):
        net = classifier(seed=seed, dtype="float32")
        history = net.fit(X, y, epochs=3, batch_size=8, validation_split=0.2)
        runs.append((net.parameters.copy(), history))
    np.testing.assert_array_equal(runs[0][0], runs[1][0], strict=True)
    same_history(runs[0][1], runs[1][1])
    assert not np.array_equal(runs[0][0], runs[2][0])
    held7, _ = split_of(classifier(seed=7), 40, 0.2)
    held8, _ = split_of(classifier(seed=8), 40, 0.2)
    assert set(held7) != set(held8)


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"validation_split": 0}, ValueError),
        ({"validation_split": 0.0}, ValueError),
        ({"validation_split": 1}, ValueError),
        ({"validation_split": 1.5}, ValueError),
        ({"validation_split": -0.1}, ValueError),
        ({"validation_split": float("nan")}, ValueError),
        ({"validation_split": 0.01}, ValueError),  # rounds to no sample out of 20
        ({"validation_split": 0.99}, ValueError),  # rounds to no sample left to train on
        ({"validation_split": "0.2"}, TypeError),
        ({"validation_split": True}, TypeError),
        ({"validation_split": 0.2, "validation_data": "X"}, ValueError),
    ],
)
def test_validation_split_is_checked_before_training(kwargs, error):
    X, y = blobs(m=20)
    if kwargs.get("validation_data") == "X":
        kwargs["validation_data"] = (X, y)
    net = classifier()
    check = untouched(net)
    with pytest.raises(error):
        net.fit(X, y, epochs=2, **kwargs)
    check()


# ---------------------------------------------------------- the callbacks


def expected_events(epochs, steps):
    events = [("train_begin",)]
    for epoch in range(1, epochs + 1):
        events.append(("epoch_begin", epoch))
        events += [("step", epoch)] * steps
        events.append(("epoch_end", epoch))
    return events + [("train_end", epochs)]


def test_callback_protocol_order_and_logs():
    X, y = blobs(m=30)
    net = classifier()
    recorder = Recorder()
    history = net.fit(X, y, epochs=3, batch_size=8, callbacks=[recorder])
    assert recorder.model is net
    assert recorder.events[0] == ("train_begin", 3, 4)
    assert recorder.kinds() == expected_events(3, 4)
    for epoch in (1, 2, 3):
        steps = [e for e in recorder.events if e[0] == "step" and e[1] == epoch]
        assert [e[2] for e in steps] == [1, 2, 3, 4]
        assert [e[3]["size"] for e in steps] == [8, 8, 8, 6]
        for _, _, _, logs in steps:
            assert set(logs) == {"loss", "accuracy", "size"}
            assert np.isfinite(logs["loss"]) and 0 <= logs["accuracy"] <= 1
        loss = sum(logs["loss"] * logs["size"] for *_, logs in steps) / 30
        accuracy = sum(logs["accuracy"] * logs["size"] for *_, logs in steps) / 30
        assert history["loss"][epoch - 1] == pytest.approx(loss, rel=1e-12)
        assert history["accuracy"][epoch - 1] == pytest.approx(accuracy, rel=1e-12)
    # on_epoch_end sees the History with the epoch already in it
    ends = [e for e in recorder.events if e[0] == "epoch_end"]
    assert ends == [("epoch_end", k, k, True) for k in (1, 2, 3)]


def test_a_callback_stops_training_and_every_callback_sees_the_epoch():
    X, y = blobs(m=30)
    net = classifier()
    first, second = Recorder(stop_at=3), Recorder()
    history = net.fit(X, y, epochs=10, batch_size=10, callbacks=[first, second])
    assert history.epochs == 3 and net.history_ is history
    for recorder in (first, second):
        assert recorder.kinds() == expected_events(3, 3)


def test_on_train_end_runs_when_training_diverges():
    X, y = regression_data()
    X = X * 1e3
    net = regressor()
    before, after = Recorder(), Recorder()
    with pytest.raises(TrainingDiverged) as error:
        net.fit(X, y, optimizer=barenet.GD(lr=1e6), epochs=50, batch_size=8,
                callbacks=[before, after])
    completed = net.history_.epochs
    assert 1 <= completed < 50  # it diverges a few epochs in
    assert f"at epoch {completed + 1}," in str(error.value)
    assert all(len(values) == completed for values in net.history_.values())
    for recorder in (before, after):
        assert recorder.events[-1] == ("train_end", completed)
    assert np.isfinite(net.parameters).all()


class Interrupt(Callback):
    def __init__(self, epoch, step):
        self.at = (epoch, step)

    def on_step_end(self, epoch, step, logs):
        if (epoch, step) == self.at:
            raise KeyboardInterrupt


def test_keyboard_interrupt_keeps_completed_epochs_and_finite_parameters():
    X, y = blobs(m=30)
    net = classifier()
    opt = barenet.Momentum(lr=0.1)
    before, after = Recorder(), Recorder()
    with pytest.raises(KeyboardInterrupt):
        net.fit(X, y, optimizer=opt, epochs=10, batch_size=10, schedule=StepDecay(0.5, 1),
                callbacks=[before, Interrupt(3, 2), after])
    assert net.history_.epochs == 2
    assert len(net.history_["lr"]) == 2
    assert np.isfinite(net.parameters).all()
    assert opt.lr == 0.1  # the scheduler put the rate back
    for recorder in (before, after):
        assert recorder.events[-1] == ("train_end", 2)
    # the interrupting step ran for the callbacks before it, not after it
    assert before.events[-2][:3] == ("step", 3, 2)
    assert after.events[-2][:3] == ("step", 3, 1)


class Signal(Callback):
    """Ctrl-C as the OS sends it, at ``step`` of epoch ``epoch`` (None: as the
    epoch begins, which asks for no steps, so that the trainer scores whole
    epochs, its other mode): training stops at the end of that epoch."""

    def __init__(self, epoch, step=None):
        self.epoch, self.step = epoch, step
        self.wants_steps = step is not None

    def on_epoch_begin(self, epoch):
        if (epoch, None) == (self.epoch, self.step):
            os.kill(os.getpid(), signal.SIGINT)

    def on_step_end(self, epoch, step, logs):
        if (epoch, step) == (self.epoch, self.step):
            os.kill(os.getpid(), signal.SIGINT)


def same_run(a, b):
    assert all(np.array_equal(x, y) for x, y in zip(a.flat.snapshot(), b.flat.snapshot()))
    assert a.optimizer_.t == b.optimizer_.t
    for (name, x), (_, y) in zip(a.optimizer_.get_state()["arrays"].items(),
                                 b.optimizer_.get_state()["arrays"].items()):
        assert all(np.array_equal(u, v) for u, v in zip(x, y)), name
    assert a.history_ == b.history_
    assert a.rng.bit_generator.state == b.rng.bit_generator.state


@pytest.mark.parametrize("optimizer", [barenet.Adam, barenet.GD, barenet.Momentum])
@pytest.mark.parametrize("stop", [Signal(3, 2), Signal(1, 1), Signal(2), Signal(1)],
                         ids=["step-3-2", "step-1-1", "epoch-2", "epoch-1"])
def test_resume_after_ctrl_c_is_the_run_never_interrupted(optimizer, stop, tmp_path, capsys):
    """Ctrl-C mid-epoch stops training at the end of that epoch, so that
    resume (in memory, or from the checkpoint the CLI writes) trains exactly
    as the run never interrupted, dropout masks and shuffles included."""
    X, y = blobs(m=40)

    def make():
        return classifier(dropout=0.2, batch_norm=True)

    straight = make()
    straight.fit(X, y, optimizer=optimizer(lr=0.05), epochs=5, batch_size=8,
                 schedule=StepDecay(0.5, 2))
    net = make()
    with pytest.raises(KeyboardInterrupt):
        net.fit(X, y, optimizer=optimizer(lr=0.05), epochs=5, batch_size=8,
                schedule=StepDecay(0.5, 2), callbacks=[stop])
    assert "training stops at the end of this epoch" in capsys.readouterr().err
    assert net.history_.epochs == stop.epoch and net.run_.epoch == stop.epoch
    assert net.optimizer_.t == stop.epoch * 5  # the epoch under way finished
    net.save(tmp_path / "checkpoint.npz", training_state=True)
    loaded = barenet.load(tmp_path / "checkpoint.npz")
    net.resume(X, y)
    loaded.resume(X, y)
    same_run(net, straight)
    same_run(loaded, straight)


def test_ctrl_c_in_the_last_epoch_lets_the_run_finish():
    X, y = blobs(m=40)
    net = classifier()
    history = net.fit(X, y, epochs=3, batch_size=8, callbacks=[Signal(3, 1)])
    assert history.epochs == 3 and net.run_.epoch == 3


def test_keyboard_interrupt_with_early_stopping_restores_the_best_epoch():
    X, y = blobs(m=30)
    net = classifier(batch_norm=True)
    script_validation(net, [1.0, 0.5, 0.75, 0.875, 1.0])
    states = EpochStates(X)
    with pytest.raises(KeyboardInterrupt):
        net.fit(X, y, epochs=5, batch_size=10, validation_data=(X, y),
                callbacks=[states, EarlyStopping(patience=5), Interrupt(4, 1)])
    assert net.history_.epochs == 3
    assert_state_is(net, states.states[2], X)


class DuckCallback:
    def on_train_begin(self, model, epochs, steps_per_epoch):
        pass

    def on_epoch_begin(self, epoch):
        pass

    def on_step_end(self, epoch, step, logs):
        pass

    def on_epoch_end(self, epoch, history):
        return False

    def on_train_end(self, history):
        pass


@pytest.mark.parametrize("bad", [object(), DuckCallback(), "progress", EarlyStopping])
def test_callbacks_must_be_callback_objects(bad):
    X, y = blobs()
    net = classifier()
    check = untouched(net)
    with pytest.raises(TypeError, match="Callback"):
        net.fit(X, y, epochs=2, callbacks=[Recorder(), bad])
    check()


class Terminal(io.StringIO):
    """A stream that says it is a terminal, where ProgressBar draws its bar."""

    def isatty(self):
        return True


def last_line(text):
    assert text.endswith("\n")
    return text[:-1].split("\r")[-1]


def test_progress_bar_writes_the_final_figures_to_its_stream():
    X, y = blobs(m=30)
    net = classifier()
    stream = Terminal()
    history = net.fit(X, y, epochs=3, batch_size=8,
                      callbacks=[ProgressBar(stream=stream, width=20, interval=3600)])
    line = last_line(stream.getvalue())
    assert line.startswith("epoch 3/3 [" + "#" * 20 + "]")
    assert line.endswith(
        f"loss {history['loss'][-1]:.4f} accuracy {history['accuracy'][-1]:.4f}")


def test_progress_bar_redraws_at_every_step_with_interval_zero():
    X, y = regression_data()
    net = regressor()
    stream = Terminal()
    history = net.fit(X, y, epochs=2, batch_size=8, callbacks=[ProgressBar(stream, interval=0)])
    lines = stream.getvalue()[:-1].split("\r")[1:]
    assert len(lines) == 2 * 3
    assert [line.split(" [")[0] for line in lines] == ["epoch 1/2"] * 3 + ["epoch 2/2"] * 3
    assert lines[2].endswith(f"mae {history['mae'][0]:.4f}")
    assert lines[-1].endswith(f"loss {history['loss'][-1]:.4f} mae {history['mae'][-1]:.4f}")


def test_verbose_fit_shows_progress_on_stderr(capsys):
    # stderr captured by pytest is not a terminal: plain lines, no bar
    X, y = blobs(m=30)
    net = classifier()
    history = net.fit(X, y, epochs=2, batch_size=10, verbose=True)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "\r" not in captured.err
    assert captured.err.splitlines()[-1] == (
        f"epoch 2/2 loss {history['loss'][-1]:.4f} accuracy {history['accuracy'][-1]:.4f}")
    net.fit(X, y, epochs=2, batch_size=10)
    assert capsys.readouterr() == ("", "")


def test_progress_bar_last_line_shows_the_epoch_where_training_stopped():
    # After an early stop the bar should not be left showing stale figures
    # from an earlier epoch (or nothing at all).
    X, y = blobs(m=30)
    net = classifier()
    script_validation(net, [1.0, 2.0, 3.0] + [4.0] * 7)
    stream = Terminal()
    history = net.fit(X, y, epochs=10, batch_size=10, validation_data=(X, y),
                      callbacks=[EarlyStopping(patience=2),
                                 ProgressBar(stream=stream, interval=3600)])
    assert history.epochs == 3
    line = last_line(stream.getvalue())
    assert line.startswith("epoch 3/10 [")
    assert line.endswith(
        f"loss {history['loss'][-1]:.4f} accuracy {history['accuracy'][-1]:.4f}")


# ------------------------------------------------- sample and class weights


def gd_fit(net, X, y, lr=0.2, epochs=5, **kwargs):
    return net.fit(X, y, optimizer=barenet.GD(lr=lr), epochs=epochs, batch_size=None,
                   shuffle=False, **kwargs)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_unit_weights_are_no_weights_bit_for_bit(dtype):
    X, y = blobs(m=40)
    kwargs = dict(l2=0.01, dropout=[0.2, 0.1], batch_norm=[True, False])
    nets = [barenet.Network([2, 8, 6, 3], ["relu", "tanh", "softmax"], seed=4, dtype=dtype,
                            **kwargs) for _ in range(3)]
    histories = [
        nets[0].fit(X, y, epochs=4, batch_size=8),
        nets[1].fit(X, y, epochs=4, batch_size=8, sample_weight=np.ones(40)),
        nets[2].fit(X, y, epochs=4, batch_size=8, class_weight={0: 1, 1: 1.0, 2: 1}),
    ]
    for net, history in zip(nets[1:], histories[1:]):
        np.testing.assert_array_equal(net.parameters, nets[0].parameters, strict=True)
        np.testing.assert_array_equal(net.flat.state, nets[0].flat.state, strict=True)
        same_history(history, histories[0])


def test_constant_weight_two_is_doubling_the_learning_rate():
    # Scaling by a power of two is exact, so this holds bit for bit.
    X, y = blobs(m=30)
    a, b = classifier(dtype="float32", batch_norm=True), classifier(dtype="float32", batch_norm=True)
    ha = gd_fit(a, X, y, lr=0.1, sample_weight=np.full(30, 2.0))
    hb = gd_fit(b, X, y, lr=0.2)
    np.testing.assert_array_equal(a.parameters, b.parameters, strict=True)
    assert ha["loss"] == [2 * v for v in hb["loss"]]
    assert ha["accuracy"] == hb["accuracy"]


def test_integer_weights_are_duplicated_samples():
    # The weighted cost is (1/m) sum_i w_i l_i (Keras's convention), so it is
    # the duplicated data set's mean cost times M/m, M = sum(w): with the
    # learning rate scaled by the same factor, gradient descent takes the
    # same steps. The L2 penalty scales the same way.
    X, y = blobs(m=24)
    w = np.arange(24) % 4  # 0, 1, 2 and 3 copies
    M = int(w.sum())
    weighted, duplicated = classifier(l2=0.05), classifier(l2=0.05)
    hw = gd_fit(weighted, X, y, lr=0.3, sample_weight=w)
    hd = gd_fit(duplicated, np.repeat(X, w, axis=0), np.repeat(y, w), lr=0.3 * M / 24)
    np.testing.assert_allclose(weighted.parameters, duplicated.parameters, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(hw["loss"], np.multiply(hd["loss"], M / 24), rtol=1e-12)


def test_zero_weight_is_removing_the_sample():
    X, y = regression_data(m=24)
    w = np.ones(24)
    gone = [0, 5, 17]
    w[gone] = 0
    keep = w > 0
    weighted, removed = regressor(), regressor()
    hw = gd_fit(weighted, X, y, lr=0.1, sample_weight=w)
    hr = gd_fit(removed, X[keep], y[keep], lr=0.1 * 21 / 24)
    np.testing.assert_allclose(weighted.parameters, removed.parameters, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(hw["loss"], np.multiply(hr["loss"], 21 / 24), rtol=1e-12)
    # the removed samples can be anything at all
    X2, y2 = X.copy(), y.copy()
    X2[gone], y2[gone] = 1e3, -1e3
    again = regressor()
    gd_fit(again, X2, y2, lr=0.1, sample_weight=w)
    np.testing.assert_allclose(again.parameters, weighted.parameters, rtol=1e-12, atol=1e-13)


def fit_twins(X, y, first, second, make=classifier, **fit_kwargs):
    """Train two identical networks with two sets of fit arguments."""
    nets = [make(seed=9), make(seed=9)]
    histories = [net.fit(X, y, epochs=3, batch_size=8, **fit_kwargs, **kwargs)
                 for net, kwargs in zip(nets, (first, second))]
    return nets, histories


def assert_twins(nets, histories):
    np.testing.assert_array_equal(nets[0].parameters, nets[1].parameters, strict=True)
    same_history(*histories)


def test_class_weight_is_the_matching_sample_weight():
    X, y = blobs(m=30)
    per_class = {0: 2.0, 2: 0.5}
    w = np.array([per_class.get(label, 1.0) for label in y])
    assert_twins(*fit_twins(X, y, {"class_weight": per_class}, {"sample_weight": w}))


def test_class_weight_with_string_labels():
    X, y = binary_data(labels=("cat", "dog"))

    def make(seed):
        return barenet.Network([2, 4, 1], ["tanh", "sigmoid"], seed=seed, dtype="float64")

    w = np.where(y == "dog", 3.0, 1.0)
    assert_twins(*fit_twins(X, y, {"class_weight": {"dog": 3}}, {"sample_weight": w}, make=make))


def test_balanced_class_weight():
    X, _ = blobs(m=24)
    y = np.array([0] * 12 + [1] * 8 + [2] * 4)
    counts = np.bincount(y)
    w = 24 / (3 * counts[y])
    assert sorted(set(w)) == pytest.approx([2 / 3, 1.0, 2.0])
    nets, histories = fit_twins(X, y, {"class_weight": "balanced"}, {"sample_weight": w})
    np.testing.assert_allclose(nets[0].parameters, nets[1].parameters, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(histories[0]["loss"], histories[1]["loss"], rtol=1e-13)


def test_sample_weight_and_class_weight_multiply():
    X, y = blobs(m=30)
    sw = np.random.default_rng(3).uniform(0.0, 2.0, size=30)
    cw = {1: 4.0, 2: 0.25}
    both = sw * np.array([cw.get(label, 1.0) for label in y])
    assert_twins(*fit_twins(X, y, {"sample_weight": sw, "class_weight": cw},
                            {"sample_weight": both}))


@pytest.mark.parametrize(
    "layers, activations, data, kwargs",
    [
        ([2, 5, 4, 3], ["tanh", "tanh", "softmax"], blobs, {"l2": 0.3, "batch_norm": [True, False]}),
        ([2, 5, 1], ["tanh", "sigmoid"], binary_data, {"l2": 0.1, "dropout": 0.3}),
        ([3, 4, 1], ["tanh", "tanh"], regression_data, {"batch_norm": True}),  # not fused
    ],
)
def test_weighted_gradient_matches_finite_differences(layers, activations, data, kwargs):
    X, y = data(m=12)
    net = barenet.Network(layers, activations, seed=0, dtype="float64", loss=None, **kwargs)
    if net.task != "regression":
        net.classes_ = np.unique(y)
    X = net.prepare(X)
    Y, _ = net.encode(y, len(X))
    X_T, Y_T = X.T, Y.T
    w = np.random.default_rng(1).uniform(0.0, 3.0, size=12)
    w[[2, 7]] = 0.0
    _, caches = net.engine.forward(X_T, training=True, rng=net.rng)
    masks = list(caches.masks)

    def cost(weights):
        return net.engine.objective(net.engine.forward(X_T, training=True, masks=masks)[0], Y_T, weights)

    value, _ = net.engine.step_value_and_grad(X_T, Y_T, w, masks=masks)
    g = net.flat.grad.copy()
    assert value == pytest.approx(cost(w), rel=1e-14)
    g_num = numerical_gradient(lambda: cost(w), net.parameters)
    assert relative_error(g, g_num) < 1e-7
    # and the weights really changed the gradient
    net.engine.step_value_and_grad(X_T, Y_T, None, masks=masks)
    assert relative_error(g, net.flat.grad) > 1e-3


@pytest.mark.parametrize(
    "make, data, kwargs, error",
    [
        (classifier, blobs, {"sample_weight": np.ones(29)}, ValueError),
        (classifier, blobs, {"sample_weight": np.ones((30, 1))}, ValueError),
        (classifier, blobs, {"sample_weight": 1.0}, ValueError),
        (classifier, blobs, {"sample_weight": -np.ones(30)}, ValueError),
        (classifier, blobs, {"sample_weight": np.r_[np.ones(29), np.nan]}, ValueError),
        (classifier, blobs, {"sample_weight": np.r_[np.ones(29), np.inf]}, ValueError),
        (classifier, blobs, {"sample_weight": np.array(["1"] * 30)}, TypeError),
        (classifier, blobs, {"sample_weight": np.array([None] * 30)}, TypeError),
        (classifier, blobs, {"sample_weight": np.ones(30, dtype=complex)}, TypeError),
        (classifier, blobs, {"class_weight": {5: 2.0}}, ValueError),
        (classifier, blobs, {"class_weight": {0: 2.0, "a": 1.0}}, ValueError),
        (classifier, blobs, {"class_weight": {0: -1.0}}, ValueError),
        (classifier, blobs, {"class_weight": {0: float("nan")}}, ValueError),
        (classifier, blobs, {"class_weight": {0: "2"}}, TypeError),
        (classifier, blobs, {"class_weight": [1.0, 2.0, 3.0]}, TypeError),
        (classifier, blobs, {"class_weight": 2.0}, TypeError),
        (classifier, blobs, {"class_weight": "balance"}, (TypeError, ValueError)),
        (regressor, regression_data, {"class_weight": {0: 1.0}}, ValueError),
        (regressor, regression_data, {"class_weight": "balanced"}, ValueError),
    ],
)
def test_weights_are_checked_before_training(make, data, kwargs, error):
    X, y = data(m=30)
    net = make()
    check = untouched(net)
    with pytest.raises(error):
        net.fit(X, y, epochs=2, **kwargs)
    check()


# ---------------------------------------------------------------- schedules

LR0 = 0.04


@pytest.mark.parametrize(
    "schedule, closed_form",
    [
        ("step", lambda e, E: LR0 * 0.5 ** (e // 10)),
        (StepDecay(factor=0.25, step=3), lambda e, E: LR0 * 0.25 ** (e // 3)),
        ("exponential", lambda e, E: LR0 * 0.96**e),
        (ExponentialDecay(rate=0.5), lambda e, E: LR0 * 0.5**e),
        ("inverse_time", lambda e, E: LR0 / (1 + e)),
        (InverseTimeDecay(decay=0.5, interval=4), lambda e, E: LR0 / (1 + 0.5 * (e // 4))),
        ("cosine", lambda e, E: LR0 * (1 + math.cos(math.pi * e / E)) / 2),
        (CosineDecay(min_lr=0.01),
         lambda e, E: 0.01 + (LR0 - 0.01) * (1 + math.cos(math.pi * e / E)) / 2),
    ],
)
def test_schedule_records_its_closed_form(schedule, closed_form):
    X, y = blobs(m=20)
    net = classifier()
    opt = barenet.Adam(lr=LR0)
    history = net.fit(X, y, optimizer=opt, epochs=12, batch_size=10, schedule=schedule)
    assert history["lr"] == pytest.approx([closed_form(e, 12) for e in range(12)], rel=1e-14)
    assert history["lr"][0] == LR0
    assert opt.lr == LR0
    name = schedule if isinstance(schedule, str) else schedule.name
    assert net.fit_config_["schedule"]["name"] == name


def test_schedules_agree_with_pytorch():
    torch = pytest.importorskip("torch")
    pairs = [
        (StepDecay(factor=0.5, step=3),
         lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)),
        (ExponentialDecay(rate=0.9),
         lambda opt: torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9)),
        (CosineDecay(min_lr=0.001),
         lambda opt: torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10, eta_min=0.001)),
    ]
    X, y = blobs(m=20)
    for schedule, make_scheduler in pairs:
        opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=LR0)
        scheduler = make_scheduler(opt)
        expected = []
        for _ in range(10):
            expected.append(opt.param_groups[0]["lr"])
            opt.step()
            scheduler.step()
        history = classifier().fit(X, y, optimizer=barenet.GD(lr=LR0), epochs=10, batch_size=10,
                                   schedule=schedule)
        assert history["lr"] == pytest.approx(expected, rel=1e-9)


class StepRates(Callback):
    """The optimizer's rate at every step, and (for GD) the step actually taken."""

    def on_train_begin(self, model, epochs, steps_per_epoch):
        self.model = model
        self.rates = []
        self.previous = model.parameters.copy()
        self.steps = []

    def on_step_end(self, epoch, step, logs):
        net = self.model
        self.rates.append((epoch, net.optimizer_.lr))
        self.steps.append((self.previous - net.parameters, net.flat.grad.copy()))
        self.previous = net.parameters.copy()


@pytest.mark.parametrize("name", sorted(optimizers.REGISTRY))
def test_schedule_works_with_every_optimizer(name):
    X, y = blobs(m=20)
    net = classifier()
    opt = optimizers.REGISTRY[name]()
    base = opt.lr
    rates = StepRates()
    history = net.fit(X, y, optimizer=opt, epochs=4, batch_size=8, schedule=StepDecay(0.5, 1),
                      callbacks=[rates])
    assert history["lr"] == [base, base / 2, base / 4, base / 8]
    assert rates.rates == [(e, history["lr"][e - 1]) for e in range(1, 5) for _ in range(3)]
    assert opt.lr == base
    assert net.optimizer_ is opt
    assert np.isfinite(net.parameters).all()


def test_the_scheduled_rate_is_the_rate_gradient_descent_uses():
    X, y = blobs(m=20)
    net = classifier()
    rates = StepRates()
    history = net.fit(X, y, optimizer=barenet.GD(lr=0.5), epochs=5, batch_size=10,
                      schedule="inverse_time", callbacks=[rates])
    assert len(rates.steps) == 10
    for (epoch, lr), (delta, grad) in zip(rates.rates, rates.steps):
        assert lr == history["lr"][epoch - 1] == 0.5 / epoch
        np.testing.assert_allclose(delta, lr * grad, rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize("schedule", ["bogus", "Cosine", 3, lambda lr, e, E: lr])
def test_unknown_schedule_raises_before_training(schedule):
    X, y = blobs()
    net = classifier()
    check = untouched(net)
    with pytest.raises(ValueError, match="step, exponential, inverse_time, cosine"):
        net.fit(X, y, epochs=2, schedule=schedule)
    check()


def test_schedule_incompatible_with_the_rate_leaves_the_network_as_it_was():
    # fit's docstring: "Every argument is checked before training starts."
    # A cosine floor above the optimizer's rate is only noticed by the first
    # on_epoch_begin, after fit has set classes_, fit_config_ and history_.
    X, y = blobs()
    net = classifier()
    check = untouched(net)
    opt = barenet.GD(lr=0.01)
    with pytest.raises(ValueError, match="min_lr"):
        net.fit(X, y, optimizer=opt, epochs=2, schedule=CosineDecay(min_lr=0.1))
    assert opt.lr == 0.01
    check()
    with pytest.raises(NotFittedError):
        net.predict(X)


# ------------------------------------------------------------------- saving


def test_saving_a_model_trained_with_every_feature(tmp_path):
    X, y = blobs(m=60)
    net = barenet.Network([2, 8, 6, 3], ["relu", "tanh", "softmax"], seed=11, dtype="float32",
                          l2=0.01, dropout=[0.25, 0.0], batch_norm=[True, False],
                          bn_momentum=0.8, bn_eps=1e-3)
    stopper = EarlyStopping(patience=3)
    history = net.fit(X, y, optimizer=barenet.Adam(lr=0.02), epochs=25, batch_size=8,
                      validation_split=0.2, schedule=CosineDecay(min_lr=1e-4),
                      callbacks=[stopper], class_weight="balanced")
    assert {"loss", "accuracy", "val_loss", "val_accuracy", "lr"} == set(history)
    path = tmp_path / "model.npz"
    net.save(path)
    loaded = barenet.load(path)

    np.testing.assert_array_equal(loaded.parameters, net.parameters, strict=True)
    np.testing.assert_array_equal(loaded.flat.state, net.flat.state, strict=True)
    for a, b in zip(loaded.running_means + loaded.running_vars,
                    net.running_means + net.running_vars):
        if b is None:
            assert a is None
        else:
            np.testing.assert_array_equal(a, b, strict=True)
    assert not np.array_equal(net.running_vars[0], np.ones_like(net.running_vars[0]))
    X_new = np.random.default_rng(5).normal(scale=3, size=(50, 2))
    np.testing.assert_array_equal(loaded.predict_proba(X_new), net.predict_proba(X_new),
                                  strict=True)
    np.testing.assert_array_equal(loaded.predict(X_new), net.predict(X_new), strict=True)
    np.testing.assert_array_equal(loaded.classes_, net.classes_, strict=True)

    assert (loaded.l2, loaded.dropout, loaded.batch_norm) == (net.l2, net.dropout, net.batch_norm)
    assert (loaded.bn_momentum, loaded.bn_eps) == (0.8, 1e-3)
    assert loaded.fit_config_ == json.loads(json.dumps(net.fit_config_))
    assert loaded.fit_config_["schedule"] == {"name": "cosine", "min_lr": 1e-4}
    assert loaded.fit_config_["validation_split"] == 0.2
    assert loaded.fit_config_["optimizer"]["name"] == "adam"
    same_history(loaded.history_, history)


def test_on_step_end_is_called_wherever_the_class_gets_it():
    """The loop gives every step's figures to a callback whose class defines
    ``on_step_end``, itself or through a mixin (``Callback.wants_steps``),
    and scores the epoch at once for the others."""

    class Steps:
        def on_step_end(self, epoch, step, logs):
            self.seen.append((epoch, step, logs["size"]))

    class Mixed(Steps, barenet.Callback):
        def __init__(self):
            self.seen = []

    class Own(barenet.Callback):
        def __init__(self):
            self.seen = []

        def on_step_end(self, epoch, step, logs):
            self.seen.append((epoch, step, logs["size"]))

    assert Mixed.wants_steps and Own.wants_steps and not barenet.EarlyStopping.wants_steps
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 2)), np.arange(20) % 2
    for callback in (Mixed(), Own()):
        net = barenet.Network([2, 3, 1], ["tanh", "sigmoid"], seed=0)
        net.fit(X, y, epochs=2, batch_size=8, callbacks=[callback])
        assert callback.seen == [(1, 1, 8), (1, 2, 8), (1, 3, 4), (2, 1, 8), (2, 2, 8), (2, 3, 4)]

"""Nothing saved is lost, and training never silently goes wrong: checkpoints
and resuming, Ctrl-C during fit, and a process killed while it saves."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import barenet
from barenet.callbacks import ModelCheckpoint


def data(m=90, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, 3))
    y = rng.integers(0, 3, m)
    return X, y


def network(**kwargs):
    settings = dict(seed=5, dropout=0.2, batch_norm=True)
    settings.update(kwargs)
    return barenet.Network([3, 8, 6, 3], ["relu", "tanh", "softmax"], **settings)


class StopAt(barenet.Callback):
    """Stops training at the end of a given epoch, like a crash right after a checkpoint."""

    def __init__(self, epoch):
        self.epoch = epoch

    def on_epoch_end(self, epoch, history):
        return epoch == self.epoch


RUNS = {
    "adam, split, schedule": dict(optimizer=lambda: barenet.Adam(0.01), validation_split=0.2,
                                  schedule="cosine"),
    "momentum, nesterov, weights": dict(optimizer=lambda: barenet.Momentum(0.05, nesterov=True),
                                        class_weight="balanced"),
    "rmsprop, validation data": dict(optimizer=lambda: barenet.RMSProp(0.01), validation=True,
                                     schedule="step"),
    "gd, no shuffle, clipping": dict(optimizer=lambda: barenet.GD(0.1, clipnorm=0.5),
                                     shuffle=False),
    "adamw, float64": dict(optimizer=lambda: barenet.AdamW(0.01, weight_decay=0.1),
                           dtype="float64"),
}


def fit(net, run, X, y, callbacks=()):
    kwargs = {k: v for k, v in run.items() if k not in ("optimizer", "validation", "dtype")}
    if run.get("validation"):
        kwargs["validation_data"] = data(30, seed=1)
    return net.fit(X, y, optimizer=run["optimizer"](), epochs=9, batch_size=16,
                   callbacks=list(callbacks), **kwargs)


def resume_kwargs(run):
    kwargs = {}
    if run.get("validation"):
        kwargs["validation_data"] = data(30, seed=1)
    if "class_weight" in run:
        kwargs["class_weight"] = run["class_weight"]
    return kwargs


@pytest.mark.parametrize("name", RUNS)
@pytest.mark.parametrize("stop", [3, 4, 8])
def test_resuming_from_a_checkpoint_is_bit_identical(name, stop, tmp_path):
    run = RUNS[name]
    X, y = data()
    dtype = run.get("dtype", "float32")
    whole = network(dtype=dtype)
    fit(whole, run, X, y)

    first = network(dtype=dtype)
    checkpoint = ModelCheckpoint(tmp_path / "ck-{epoch}.npz", every=1)
    fit(first, run, X, y, callbacks=[checkpoint, StopAt(stop)])
    assert len(first.history_["loss"]) == stop
    assert checkpoint.saved[-1].endswith(f"ck-{stop}.npz")

    again = barenet.load(checkpoint.saved[-1])  # a new process would do just this
    history = again.resume(X, y, **resume_kwargs(run))
    np.testing.assert_array_equal(again.parameters, whole.parameters, strict=True)
    np.testing.assert_array_equal(again.flat.state, whole.flat.state, strict=True)
    assert history == whole.history_
    assert again.optimizer_.get_config() == whole.optimizer_.get_config()
    assert again.optimizer_.t == whole.optimizer_.t
    saved, kept = again.optimizer_.get_state()["arrays"], whole.optimizer_.get_state()["arrays"]
    assert saved.keys() == kept.keys()
    for name_ in kept:
        for a, b in zip(saved[name_], kept[name_]):
            np.testing.assert_array_equal(a, b, strict=True)
    # and the same run resumed in memory, without a file
    first.resume(X, y, **resume_kwargs(run))
    np.testing.assert_array_equal(first.parameters, whole.parameters, strict=True)


def test_checkpoint_on_the_best_validation_score(tmp_path):
    X, y = data()
    net = network()
    best = ModelCheckpoint(tmp_path / "best.npz", monitor="val_loss")
    net.fit(X, y, epochs=12, batch_size=16, validation_split=0.25, callbacks=[best],
            optimizer=barenet.Adam(0.02))
    losses = net.history_["val_loss"]
    improved = [e for e in range(1, 13) if losses[e - 1] < min(losses[: e - 1], default=np.inf)]
    assert len(best.saved) == len(improved)
    saved = barenet.load(tmp_path / "best.npz")
    assert len(saved.history_["loss"]) == improved[-1]
    assert saved.run_.epoch == improved[-1]


def test_plain_saves_carry_no_training_state_and_cannot_be_resumed(tmp_path):
    X, y = data()
    net = network()
    net.fit(X, y, epochs=2)
    net.save(tmp_path / "model.npz")
    loaded = barenet.load(tmp_path / "model.npz")
    assert loaded.optimizer_ is None
    with pytest.raises(barenet.NotFittedError, match="no run to resume"):
        loaded.resume(X, y)


def test_resume_refuses_a_finished_run_and_other_data(tmp_path):
    X, y = data()
    net = network()
    net.fit(X, y, epochs=2, validation_split=0.2, callbacks=[StopAt(1)])
    with pytest.raises(ValueError, match="90 samples"):
        net.resume(X[:50], y[:50])
    with pytest.raises(ValueError, match="validation split"):
        net.resume(X, y, validation_data=(X, y))
    net.resume(X, y)
    with pytest.raises(ValueError, match="already finished"):
        net.resume(X, y)
    with pytest.raises(ValueError, match="training_state=True needs a run"):
        network().save(tmp_path / "x.npz", training_state=True)


def test_damaged_training_state_is_refused(tmp_path):
    import json

    X, y = data()
    net = network()
    net.fit(X, y, epochs=3, callbacks=[ModelCheckpoint(tmp_path / "ck.npz")])
    with np.load(tmp_path / "ck.npz") as f:
        arrays = dict(f)
    metadata = json.loads(arrays["metadata"].tobytes())
    metadata["run"]["optimizer_arrays"]["m"] = 7
    arrays["metadata"] = np.frombuffer(json.dumps(metadata).encode(), np.uint8)
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(barenet.ModelFileError, match="training state"):
        barenet.load(tmp_path / "bad.npz")


# -------------------------------------------------------------------- Ctrl-C

CTRL_C_SCRIPT = textwrap.dedent("""
    import os, signal, sys, threading, numpy as np, barenet
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2000, 20)); y = rng.integers(0, 4, 2000)
    net = barenet.Network([20, 64, 64, 4], ["relu", "relu", "softmax"], seed=0)

    class Interrupt(barenet.Callback):
        # Ctrl-C, sent to this process by the OS, in the middle of epoch 3
        def on_step_end(self, epoch, step, logs):
            if epoch == 3 and step == 5:
                os.kill(os.getpid(), signal.SIGINT)

    try:
        net.fit(X, y, epochs=50, batch_size=32, callbacks=[Interrupt()])
    except KeyboardInterrupt:
        steps = -(-2000 // 32)
        # the epoch under way when the signal came was completed, no other
        assert net.history_.epochs == 3, net.history_.epochs
        assert net.optimizer_.t == 3 * steps, net.optimizer_.t
        assert np.isfinite(net.parameters).all()
        m, v = net.optimizer_.m[0], net.optimizer_.v[0]
        assert np.isfinite(m).all() and (v >= 0).all()
        # the model is usable: it predicts and carries on training
        net.predict(X[:3])
        net.resume(X, y)
        assert net.history_.epochs == 50
        print("interrupted cleanly")
        sys.exit(0)
    sys.exit("fit was not interrupted")
""")


def test_ctrl_c_stops_at_the_end_of_the_epoch_and_leaves_a_consistent_model():
    result = subprocess.run([sys.executable, "-c", CTRL_C_SCRIPT], capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "interrupted cleanly" in result.stdout


# ------------------------------------------------------ killed while saving

SAVER_SCRIPT = textwrap.dedent("""
    import sys, numpy as np, barenet
    path = sys.argv[1]
    nets = [barenet.Network([50, 400, 400, 2], ["relu", "relu", "softmax"], seed=s) for s in (0, 1)]
    print("ready", flush=True)
    i = 0
    while True:
        nets[i % 2].save(path)
        i += 1
""")


def test_a_process_killed_while_saving_never_leaves_a_broken_file(tmp_path):
    path = tmp_path / "model.npz"
    expected = [barenet.Network([50, 400, 400, 2], ["relu", "relu", "softmax"], seed=s).parameters
                for s in (0, 1)]
    rng = np.random.default_rng(0)
    for attempt in range(6):
        saver = subprocess.Popen([sys.executable, "-c", SAVER_SCRIPT, str(path)],
                                 stdout=subprocess.PIPE, text=True)
        assert saver.stdout.readline().strip() == "ready"
        time.sleep(0.2 + 0.3 * rng.random())  # somewhere in the middle of a save
        saver.send_signal(signal.SIGKILL)
        saver.wait()
        saver.stdout.close()
        # whatever moment the kill came, the file is one of the two complete models
        loaded = barenet.load(path)
        assert any(np.array_equal(loaded.parameters, p) for p in expected)
    leftovers = [name for name in os.listdir(tmp_path) if name != "model.npz"]
    # a kill between creating the temporary file and renaming it leaves that
    # temporary file behind; it never replaces or damages the model
    assert all(name.startswith(".barenet-") and name.endswith(".tmp") for name in leftovers)

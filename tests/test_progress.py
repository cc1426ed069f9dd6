"""Progress during training: a bar redrawn in place on a terminal, plain lines
every few epochs on any other stream (a pipe, a log file)."""

import io
import math

import numpy as np
import pytest

import barenet
from barenet.callbacks import Callback, EarlyStopping, ProgressBar, ProgressLog


class Stream(io.StringIO):
    """A text stream that says whether it is a terminal."""

    def __init__(self, terminal):
        super().__init__()
        self.terminal = terminal

    def isatty(self):
        return self.terminal


class Bare:
    """A stream with write and flush only, no isatty."""

    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text

    def flush(self):
        pass


def blobs(m=60, seed=0):
    rng = np.random.default_rng(seed)
    centers = np.array([[0.0, 3.0], [3.0, -2.0], [-3.0, -2.0]])
    y = np.arange(m) % 3
    return centers[y] + rng.normal(size=(m, 2)), y


def classifier():
    return barenet.Network([2, 6, 3], ["tanh", "softmax"], seed=0, dtype="float64")


def line(epoch, epochs, history, keys=("loss", "accuracy")):
    i = epoch - 1
    return f"epoch {epoch}/{epochs} " + " ".join(f"{k} {history[k][i]:.4f}" for k in keys)


def test_on_a_terminal_the_bar_is_redrawn_in_place():
    X, y = blobs()
    stream = Stream(terminal=True)
    history = classifier().fit(X, y, epochs=3, batch_size=20,
                               callbacks=[ProgressBar(stream, width=10, interval=0)])
    text = stream.getvalue()
    assert text.endswith("\n") and text.count("\n") == 1
    draws = text[:-1].split("\r")[1:]
    assert len(draws) == 3 * 3  # one per step
    assert draws[-1] == ("epoch 3/3 [##########] "
                         f"loss {history['loss'][-1]:.4f} accuracy {history['accuracy'][-1]:.4f}")


@pytest.mark.parametrize("epochs", [1, 7, 25, 100])
@pytest.mark.parametrize("stream", [lambda: Stream(terminal=False), Bare],
                         ids=["not-a-terminal", "no-isatty"])
def test_elsewhere_a_plain_line_every_few_epochs_and_the_last(epochs, stream):
    X, y = blobs()
    out = stream()
    history = classifier().fit(X, y, epochs=epochs, batch_size=20, callbacks=[ProgressBar(out)])
    text = out.getvalue() if isinstance(out, Stream) else out.text
    assert "\r" not in text and text.endswith("\n")
    lines = text.splitlines()
    every = math.ceil(epochs / 10)
    shown = [e for e in range(1, epochs + 1) if e % every == 0 or e == epochs]
    assert len(lines) == len(shown) <= 11
    assert lines == [line(e, epochs, history) for e in shown]


def test_the_lines_carry_the_validation_figures():
    X, y = blobs()
    stream = Stream(terminal=False)
    history = classifier().fit(X, y, epochs=4, batch_size=20, validation_data=(X[:15], y[:15]),
                               callbacks=[ProgressLog(stream, every=2)])
    keys = ("loss", "accuracy", "val_loss", "val_accuracy")
    assert stream.getvalue().splitlines() == [line(e, 4, history, keys) for e in (2, 4)]


def test_the_last_line_is_the_epoch_where_training_stopped():
    X, y = blobs()
    stream = Stream(terminal=False)
    stopper = EarlyStopping(monitor="loss", patience=0, min_delta=10.0)  # stops at epoch 2
    history = classifier().fit(X, y, epochs=50, batch_size=20,
                               callbacks=[stopper, ProgressLog(stream, every=5)])
    assert history.epochs == 2
    assert stream.getvalue().splitlines() == [line(2, 50, history)]


def test_a_diverged_run_shows_its_last_completed_epoch():
    X, y = blobs()
    net = barenet.Network([2, 6, 3], ["relu", "softmax"], seed=0, dtype="float64")
    stream = Stream(terminal=False)
    with pytest.raises(barenet.TrainingDiverged) as info:
        net.fit(X * 100, y, optimizer=barenet.GD(lr=100.0), epochs=100, batch_size=20,
                callbacks=[ProgressLog(stream, every=1000)])
    completed = info.value.epoch - 1
    assert completed >= 1 and net.history_.epochs == completed
    assert stream.getvalue().splitlines() == [line(completed, 100, net.history_)]


def test_fit_picks_the_bar_for_a_terminal_and_plain_lines_otherwise():
    terminal, log = Stream(terminal=True), Stream(terminal=False)
    assert type(ProgressBar.for_stream(terminal)) is ProgressBar
    assert type(ProgressBar.for_stream(log)) is ProgressLog
    assert type(ProgressBar.for_stream(Bare())) is ProgressLog
    # the plain lines read the History only: the loop keeps scoring whole epochs
    assert ProgressLog.on_step_end is Callback.on_step_end
    assert ProgressBar.for_stream(terminal).stream is terminal


def test_every_must_be_a_positive_integer():
    with pytest.raises(ValueError, match="every"):
        ProgressLog(every=0)
    with pytest.raises(TypeError, match="every"):
        ProgressLog(every=2.5)


def test_progress_log_names_the_validation_figures_as_asked():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 2)), rng.integers(0, 2, 40)
    for name, expected in ((None, "val_loss"), ("test", "test_loss")):
        stream = io.StringIO()
        log = ProgressLog(stream) if name is None else ProgressLog(stream, validation_name=name)
        barenet.Network([2, 3, 1], ["relu", "sigmoid"], seed=0).fit(
            X, y, epochs=3, validation_data=(X, y), callbacks=[log])
        lines = stream.getvalue().splitlines()
        assert lines and all(expected in line for line in lines)
        assert all(f"{expected[:-5]}_accuracy" in line for line in lines)
    with pytest.raises(TypeError, match="validation_name"):
        ProgressLog(validation_name="")


def test_a_jupyter_output_stream_gets_the_bar():
    """ipykernel's streams say they are not terminals, but notebooks draw a
    carriage return in place: they get the bar, not the plain lines."""
    class OutStream(io.StringIO):
        def isatty(self):
            return False

    OutStream.__module__ = "ipykernel.iostream"
    assert type(ProgressBar.for_stream(OutStream())) is ProgressBar
    assert type(ProgressBar.for_stream(io.StringIO())) is ProgressLog

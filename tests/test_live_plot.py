"""barenet.plot.live.LivePlot: learning curves (and the boundary of 2-D data)
redrawn in place in Jupyter, written to a file on request, nothing otherwise."""

import ast
import os
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest

import barenet
from barenet.plot import live
from barenet.plot.live import LivePlot, in_jupyter

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def data(m=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, 2))
    return X, (X[:, 0] + X[:, 1] > 0).astype(int)


def fit(callbacks, epochs, net=None, **kwargs):
    X, y = data()
    net = net or barenet.Network([2, 4, 1], ["tanh", "sigmoid"], seed=0)
    history = net.fit(X, y, optimizer=barenet.Adam(lr=0.05), epochs=epochs, batch_size=20,
                      callbacks=callbacks, **kwargs)
    return net, history


class FakeHandle:
    def __init__(self, shown):
        self.shown = shown
        self.updates = 0

    def update(self, obj):
        self.updates += 1
        self.shown.append(obj)


class FakeDisplay:
    """IPython.display.display: records what it shows, returns one handle."""

    def __init__(self):
        self.shown, self.calls, self.handles = [], 0, []

    def __call__(self, obj, display_id=None):
        assert display_id is True
        self.calls += 1
        self.shown.append(obj)
        self.handles.append(FakeHandle(self.shown))
        return self.handles[-1]


def fake_ipython(monkeypatch, config):
    """Put a fake IPython in sys.modules whose shell has ``config`` (None: no
    shell); return its fake display."""
    display = FakeDisplay()
    shell = None if config is None else types.SimpleNamespace(config=config)
    ipython = types.ModuleType("IPython")
    ipython.get_ipython = lambda: shell
    ipython.version_info = (9, 0, 0)  # matplotlib reads it when IPython is loaded
    ipython_display = types.ModuleType("IPython.display")
    ipython_display.display = display
    ipython.display = ipython_display
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    monkeypatch.setitem(sys.modules, "IPython.display", ipython_display)
    return display


@pytest.fixture
def jupyter(monkeypatch):
    return fake_ipython(monkeypatch, {"IPKernelApp": {"connection_file": "kernel.json"}})


@pytest.fixture
def terminal(monkeypatch):
    monkeypatch.delitem(sys.modules, "IPython", raising=False)
    monkeypatch.delitem(sys.modules, "IPython.display", raising=False)


def curve(ax, i=0):
    return list(ax.lines[i].get_ydata())


# --------------------------------------------------------------- detection


def test_detects_a_kernel_only(monkeypatch, terminal):
    assert not in_jupyter()  # no IPython loaded
    fake_ipython(monkeypatch, None)
    assert not in_jupyter()  # IPython loaded, no shell
    fake_ipython(monkeypatch, {"TerminalIPythonApp": {}})
    assert not in_jupyter()  # the IPython terminal
    fake_ipython(monkeypatch, {"IPKernelApp": {}})
    assert in_jupyter()


# ---------------------------------------------------------------- redraws


@pytest.mark.parametrize("epochs, every, drawn", [
    (7, 3, [3, 6, 7]), (6, 3, [3, 6]), (4, 10, [4]), (3, 1, [1, 2, 3])])
def test_redraws_every_few_epochs_and_at_the_end(jupyter, epochs, every, drawn):
    plot = LivePlot(every=every, dpi=10)
    fit([plot], epochs)
    assert plot.redraws == len(drawn)
    assert jupyter.calls == 1  # shown once, then updated in place
    assert jupyter.handles[0].updates == len(drawn) - 1
    assert plot.handle is jupyter.handles[0]
    # each picture is the History up to its epoch
    assert [len(s.figure.axes[0].lines[0].get_ydata()) for s in jupyter.shown] == drawn
    assert all(s._repr_png_().startswith(PNG_SIGNATURE) for s in jupyter.shown)


def test_an_early_stop_is_drawn(jupyter):
    class StopAt5(barenet.Callback):
        def on_epoch_end(self, epoch, history):
            return epoch == 5

    plot = LivePlot(every=3, dpi=10)
    fit([plot, StopAt5()], 20)
    assert [len(s.figure.axes[0].lines[0].get_ydata()) for s in jupyter.shown] == [3, 5]


def test_each_fit_gets_its_own_output(jupyter):
    plot = LivePlot(every=2, dpi=10)
    net, _ = fit([plot], 2)
    fit([plot], 2, net=net)
    assert jupyter.calls == 2 and plot.redraws == 1


# ------------------------------------------------------------ what is drawn


def test_curves_are_the_history_and_the_boundary_is_drawn(jupyter):
    X, y = data()
    plot = LivePlot(every=2, X=X, y=y, resolution=12, dpi=10)
    net, history = fit([plot], 4, validation_data=(X[:10], y[:10]))
    loss, accuracy, boundary = plot.figure.axes
    assert curve(loss) == pytest.approx(history["loss"])
    assert curve(loss, 1) == pytest.approx(history["val_loss"])
    assert curve(accuracy) == pytest.approx(history["accuracy"])
    assert curve(accuracy, 1) == pytest.approx(history["val_accuracy"])
    assert loss.get_xlim() == (1, 4)
    # the loss on a log scale, accuracy from 0 to 1 (a jitter of 0.5% near 1 stays small)
    assert loss.get_yscale() == "log" and accuracy.get_yscale() == "linear"
    assert accuracy.get_ylim() == (0, 1.02)
    # the title's figures with 4 decimals, as the command line prints them
    assert f"loss {history['loss'][-1]:.4f}" in plot.figure._suptitle.get_text()
    # the decision regions and the points, at the model as it was
    assert boundary.collections and boundary.get_title() == "decision boundary"
    points = [c for c in boundary.collections if len(c.get_offsets()) == len(X)]
    np.testing.assert_allclose(points[0].get_offsets(), X)
    assert "epoch 4/4" in plot.figure._suptitle.get_text()  # get_suptitle: matplotlib >= 3.8
    # the first picture shows the first two epochs only
    first = jupyter.shown[0].figure.axes[0]
    assert curve(first) == pytest.approx(history["loss"][:2])


def test_training_is_the_same_with_and_without_it(tmp_path, jupyter):
    X, y = data()

    def run(callbacks):
        net = barenet.Network([2, 6, 1], ["relu", "sigmoid"], seed=3, dropout=0.2,
                              batch_norm=True)
        net.fit(X, y, optimizer="adam", epochs=4, batch_size=16,
                validation_data=(X[:8], y[:8]), callbacks=callbacks)
        return net

    plain = run([])
    watched = run([LivePlot(every=2, X=X, y=y, path=tmp_path / "p.png", resolution=8, dpi=10)])
    np.testing.assert_array_equal(plain.parameters, watched.parameters)
    np.testing.assert_array_equal(plain.running_means[0], watched.running_means[0])
    assert dict(plain.history_) == dict(watched.history_)


# ------------------------------------------------------- terminal and files


def test_nothing_happens_in_a_terminal_without_path(terminal, monkeypatch, tmp_path):
    def fail(*args):
        raise AssertionError("drawn in a terminal")

    monkeypatch.setattr(LivePlot, "draw", fail)
    monkeypatch.chdir(tmp_path)
    plot = LivePlot(every=1)
    fit([plot], 3)
    assert plot.redraws == 0 and plot.figure is None and plot.handle is None
    assert os.listdir(tmp_path) == []
    assert "IPython" not in sys.modules


def test_path_is_written_atomically_at_each_redraw(terminal, monkeypatch, tmp_path):
    replaced = []
    real_replace = os.replace

    def spy(src, dst):
        assert Path(src).parent == Path(dst).parent == tmp_path
        assert Path(src).read_bytes().startswith(PNG_SIGNATURE)  # complete before the move
        replaced.append(dst)
        real_replace(src, dst)

    monkeypatch.setattr(live.os, "replace", spy)
    path = tmp_path / "curves.png"
    plot = LivePlot(every=2, path=path, dpi=20)
    fit([plot], 5)
    assert plot.redraws == 3 and replaced == [os.fspath(path)] * 3
    assert os.listdir(tmp_path) == ["curves.png"]  # no temporary file left
    from matplotlib.image import imread

    width, height = np.round(plot.figure.get_size_inches() * 20).astype(int)
    assert imread(path).shape == (height, width, 4)


def test_path_format_follows_its_extension(terminal, tmp_path):
    fit([LivePlot(every=5, path=str(tmp_path / "curves.svg"), dpi=10)], 2)
    assert b"<svg" in (tmp_path / "curves.svg").read_bytes()


def test_jupyter_with_path_shows_and_writes(jupyter, tmp_path):
    plot = LivePlot(every=1, path=tmp_path / "c.png", dpi=10)
    fit([plot], 2)
    assert jupyter.calls == 1 and plot.redraws == 2
    assert (tmp_path / "c.png").read_bytes().startswith(PNG_SIGNATURE)


# ------------------------------------------------------------ bad arguments


@pytest.mark.parametrize("every", [0, -3, 2.5, "10", True, None])
def test_every_must_be_a_positive_integer(every):
    with pytest.raises(ValueError, match="^every must be a positive integer"):
        LivePlot(every=every)


@pytest.mark.parametrize("kwargs, match", [
    (dict(X=np.zeros((4, 2))), "X and y go together"),
    (dict(X=np.zeros((4, 3)), y=np.zeros(4)), "X must have 2 features"),
    (dict(X=np.zeros((4, 2)), y=np.zeros(5)), "y must have shape"),
])
def test_bad_points(kwargs, match):
    with pytest.raises(ValueError, match=match):
        LivePlot(**kwargs)


def test_a_boundary_needs_a_classifier(terminal):
    X, y = data()
    net = barenet.Network([2, 3, 1], ["tanh", "linear"], seed=0)
    with pytest.raises(ValueError, match="task is 'regression'"):
        net.fit(X, y.astype(float), epochs=1, callbacks=[LivePlot(X=X, y=y)])


# ----------------------------------------------------------------- imports


def test_module_imports_neither_matplotlib_nor_ipython_at_import():
    source = Path(live.__file__).read_text()
    top = [node for node in ast.parse(source).body
           if isinstance(node, (ast.Import, ast.ImportFrom))]
    names = [alias.name for node in top if isinstance(node, ast.Import) for alias in node.names]
    names += [node.module or "" for node in top if isinstance(node, ast.ImportFrom)]
    assert not [n for n in names if n.split(".")[0] in ("matplotlib", "IPython")]


def test_import_barenet_loads_neither_matplotlib_nor_ipython():
    code = ("import sys, barenet; "
            "print(sorted(m for m in ('matplotlib', 'IPython') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"

"""Training as an animation: the Snapshots recorder (what it keeps, in bounded
memory, without changing training) and the animations drawn from it (one
frame per snapshot, each frame the network of its epoch), saved as GIFs."""

import io
import os
import sys

import matplotlib
import numpy as np
import pytest
from matplotlib.contour import ContourSet
from PIL import Image, ImageChops

import barenet
from barenet.model.callbacks import Callback, EarlyStopping
from barenet.model.recorders import Snapshots
from barenet.plot import frames
from barenet.plot.animation import (SHADES, TrainingAnimation, animate, animate_comparison,
                                    save_animation)

RES = 24  # grid points per axis: small, fast


# a ContourSet is one artist from matplotlib 3.8 on; before, its levels are
# anonymous collections of the axes, and the lines are not counted
MPL_38 = tuple(int(part) for part in matplotlib.__version__.split(".")[:2]) >= (3, 8)


def contours_in(ax):
    """The contour sets on ``ax``."""
    return [c for c in ax.get_children() if isinstance(c, ContourSet)]


def moons(m=60, seed=0):
    rng = np.random.default_rng(seed)
    t = rng.uniform(0, np.pi, m)
    y = np.arange(m) % 2
    X = np.c_[np.cos(t) + y, np.sin(t) * (1 - 2 * y) + 0.3 * y] + rng.normal(0, 0.15, (m, 2))
    return X, y


def blobs(m=60, seed=0):
    rng = np.random.default_rng(seed)
    y = np.arange(m) % 3
    return np.array([[0.0, 3.0], [3.0, -2.0], [-3.0, -2.0]])[y] + rng.normal(size=(m, 2)), y


def network(seed=0, sizes=(2, 6, 1), **kwargs):
    acts = ["tanh"] * (len(sizes) - 2) + ["sigmoid" if sizes[-1] == 1 else "softmax"]
    return barenet.Network(list(sizes), acts, seed=seed, **kwargs)


def train(net, X, y, epochs, callbacks=(), optimizer="adam"):
    net.fit(X, y, optimizer=optimizer, epochs=epochs, batch_size=16, callbacks=list(callbacks))
    return net


class StopAt(Callback):
    def __init__(self, epoch):
        self.epoch = epoch

    def on_epoch_end(self, epoch, history):
        return epoch >= self.epoch


class Probe(Callback):
    """Records how many snapshots the recorder holds after every epoch."""

    def __init__(self, recorder):
        self.recorder, self.held = recorder, []

    def on_epoch_end(self, epoch, history):
        self.held.append(len(self.recorder))
        return False


@pytest.fixture(scope="module")
def run():
    X, y = moons()
    recorder = Snapshots(every=4)
    net = train(network(), X, y, 30, [recorder])
    return net, recorder, X, y


def grid(extent, resolution):
    x0, x1, y0, y1 = extent
    xx, yy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    return np.c_[xx.ravel(), yy.ravel()]


def expected_levels(net, points):
    """What a frame's image must hold: the predicted class's index plus its
    probability's margin over the runner-up (capped below 1)."""
    P = net.predict_proba(points)
    best = P.argmax(axis=1)
    top2 = np.sort(P, axis=1)
    margin = top2[:, -1] - top2[:, -2]
    return best + np.minimum(margin, 1 - 0.5 / SHADES)


# ---------------------------------------------------------------- recorder


def test_snapshots_every_n_epochs_with_the_start_and_the_last(run):
    net, recorder, _, _ = run
    assert recorder.epochs == [0, 4, 8, 12, 16, 20, 24, 28, 30]
    assert [len(recorder.figures(i).get("loss", [])) for i in range(len(recorder))] \
        == recorder.epochs
    assert recorder.figures(3)["loss"] == net.history_["loss"][:12]
    assert recorder.figures(-1)["accuracy"] == net.history_["accuracy"]
    np.testing.assert_array_equal(recorder[-1].values, net.flat.values)


def test_a_snapshot_is_the_parameters_of_that_epoch(run):
    """Training is deterministic: a second network trained for exactly a
    snapshot's epochs, same seed, holds that snapshot's parameters bit for
    bit, and the network restored from it predicts alike."""
    _, recorder, X, y = run
    np.testing.assert_array_equal(recorder[0].values, network().flat.values)
    for i in (2, 5):
        twin = train(network(), X, y, recorder.epochs[i])
        np.testing.assert_array_equal(recorder[i].values, twin.flat.values)
        restored = recorder.network_at(i)
        np.testing.assert_array_equal(restored.predict_proba(X), twin.predict_proba(X))


def test_recording_does_not_change_training():
    X, y = moons()
    plain = train(network(seed=3), X, y, 25)
    recorder = Snapshots(every=2, max_snapshots=3)
    recorded = train(network(seed=3), X, y, 25, [recorder])
    np.testing.assert_array_equal(plain.flat.values, recorded.flat.values)
    assert plain.history_ == recorded.history_


def test_memory_stays_bounded_over_many_epochs():
    X, y = moons(m=20)
    recorder = Snapshots(max_snapshots=6)
    probe = Probe(recorder)
    net = network(sizes=(2, 3, 1))
    net.fit(X, y, epochs=1500, batch_size=None, callbacks=[recorder, probe])
    assert max(probe.held) <= 6 and len(recorder) <= 6
    # evenly spaced after thinning (every other kept, stride doubled): 0, 256, ...,
    # 1280 held when the run ends, and its last epoch replaces the last of them
    assert recorder.stride == 256
    assert recorder.epochs == [0, 256, 512, 768, 1024, 1500]


def test_the_last_epoch_replaces_the_one_before_when_full():
    X, y = moons(m=20)
    recorder = Snapshots(every=1, max_snapshots=4)
    train(network(), X, y, 7, [recorder])  # 0 1 2 3 | thin, 0 2 4 6 | 7 replaces 6
    assert recorder.epochs == [0, 2, 4, 7] and recorder.stride == 2


def test_batch_norm_statistics_are_recorded():
    X, y = moons()
    recorder = Snapshots(every=3)
    train(network(sizes=(2, 6, 4, 1), batch_norm=True), X, y, 9, [recorder])
    twin = train(network(sizes=(2, 6, 4, 1), batch_norm=True), X, y, 6)
    assert recorder.epochs[2] == 6
    assert recorder[2].state.size and np.any(recorder[2].state != recorder[0].state)
    np.testing.assert_array_equal(recorder[2].state, twin.flat.state)
    np.testing.assert_array_equal(recorder.network_at(2).flat.state, twin.flat.state)


def test_an_early_stop_records_the_epoch_it_stopped_at_not_the_restored_best():
    X, y = moons()
    recorder = Snapshots(every=5)
    net = train(network(), X, y, 20, [recorder, StopAt(7)])
    assert recorder.epochs == [0, 5, 7]
    np.testing.assert_array_equal(recorder[-1].values, net.flat.values)
    # epoch 1 is the best, epoch 2 not better by 10: stop there, back to epoch 1
    stopper = EarlyStopping(monitor="loss", patience=0, min_delta=10.0)
    recorder = Snapshots(every=5)
    net = train(network(), X, y, 20, [stopper, recorder])
    assert stopper.stopped_epoch == 2 and recorder.epochs == [0, 2]
    np.testing.assert_array_equal(recorder[1].values, train(network(), X, y, 2).flat.values)
    np.testing.assert_array_equal(net.flat.values, train(network(), X, y, 1).flat.values)


def test_a_resumed_run_is_recorded_from_where_it_starts():
    X, y = moons()
    net = train(network(), X, y, 10, [StopAt(4)])
    recorder = Snapshots(every=3)
    net.resume(X, y, callbacks=[recorder])
    assert recorder.epochs == [4, 7, 10]
    np.testing.assert_array_equal(recorder[-1].values, net.flat.values)
    assert recorder.figures(1)["loss"] == net.history_["loss"][:7]


@pytest.mark.parametrize("kwargs, error, name", [
    ({"every": 0}, ValueError, "every"), ({"every": 1.5}, TypeError, "every"),
    ({"max_snapshots": 1}, ValueError, "max_snapshots")])
def test_bad_recorder_arguments_are_named(kwargs, error, name):
    with pytest.raises(error, match=name):
        Snapshots(**kwargs)


def test_an_unused_recorder_says_so(run):
    with pytest.raises(ValueError, match="no snapshots.*fit"):
        Snapshots().network_at(0)
    with pytest.raises(IndexError, match="index 9 is out of range for 9 snapshots"):
        run[1].network_at(9)


# --------------------------------------------------------------- animation


def test_one_frame_per_snapshot_each_the_network_of_its_epoch(run):
    _, recorder, X, y = run
    anim = animate(recorder, X, y, resolution=RES)
    assert isinstance(anim, TrainingAnimation) and anim.epochs == recorder.epochs
    for i in (3, len(recorder) - 1):
        fig = anim.show(i)
        ax = fig.axes[0]
        image = ax.images[0]
        twin = train(network(), X, y, recorder.epochs[i])
        levels = expected_levels(twin, grid(image.get_extent(), RES)).reshape(RES, RES)
        np.testing.assert_allclose(image.get_array(), levels, rtol=0, atol=1e-6)
        assert np.all(np.floor(image.get_array()) == twin.predict_proba(
            grid(image.get_extent(), RES)).argmax(axis=1).reshape(RES, RES))
        assert f"epoch {recorder.epochs[i]} of 30" in fig._suptitle.get_text()
        # the learning curves stop at the frame's epoch, with a dot there
        loss_line, loss_dot = fig.axes[1].lines[:2]
        epoch = recorder.epochs[i]
        np.testing.assert_array_equal(loss_line.get_xdata(), np.arange(1, epoch + 1))
        assert list(loss_line.get_ydata()) == recorder.figures(i)["loss"]
        assert list(loss_dot.get_xdata()) == [epoch]
    # a trained network has a boundary in view: its black zero line
    assert len(contours_in(ax)) >= 1 or not MPL_38


def test_the_title_and_the_curves_read_as_the_command_line_and_learning_curves():
    X, y = moons()
    recorder = Snapshots(every=2)
    network().fit(X, y, optimizer="adam", epochs=6, batch_size=16, callbacks=[recorder],
                  validation_data=(X[:20], y[:20]))
    anim = animate(recorder, X, y, resolution=RES, validation_label="test",
                   training_label="training (loss + L2 penalty)")
    fig = anim.show(len(recorder) - 1)
    figures = recorder.figures(-1)
    # 4 decimals, trailing zeros kept
    assert f"loss {figures['loss'][-1]:.4f}, accuracy {figures['accuracy'][-1]:.4f}" in \
        fig._suptitle.get_text()
    loss, accuracy = fig.axes[1:3]
    assert loss.get_yscale() == "log" and accuracy.get_ylim() == (0, 1.02)
    assert [t.get_text() for t in loss.get_legend().get_texts()] == \
        ["training (loss + L2 penalty)", "test"]
    with pytest.raises(ValueError, match="training_label"):
        animate(recorder, X, y, resolution=RES, training_label="")


def test_figures_are_written_with_4_decimals_or_3_significant_figures():
    from barenet.plot._style import figure_text

    assert [figure_text(v) for v in (0.1, 1, 0.06254, 0.97, 0.0)] == \
        ["0.1000", "1.0000", "0.0625", "0.9700", "0.0000"]
    assert [figure_text(v) for v in (0.00012, 1.2e-5, -3e-6)] == ["0.000120", "1.20e-05",
                                                                  "-3.00e-06"]


def test_the_start_frame_has_no_curves_yet(run):
    _, recorder, X, y = run
    fig = animate(recorder, X, y, resolution=RES).show(0)
    assert "epoch 0 of 30 (the start)" in fig._suptitle.get_text()
    assert all(len(line.get_xdata()) == 0 for line in fig.axes[1].lines)


def test_multiclass_regions():
    X, y = blobs()
    recorder = Snapshots(every=5)
    train(network(sizes=(2, 8, 3)), X, y, 20, [recorder])
    anim = animate(recorder, X, y, resolution=RES)
    image = anim.show(-1).axes[0].images[0]
    assert set(np.unique(np.floor(image.get_array()))) == {0, 1, 2}
    if MPL_38:
        assert len(contours_in(anim.figure.axes[0])) == 2  # the zero lines of classes 1 and 2


def test_the_gif_has_every_frame(run, tmp_path):
    _, recorder, X, y = run
    anim = animate(recorder, X, y, resolution=RES)
    path = save_animation(anim, tmp_path / "training.gif", fps=5, dpi=30)
    assert os.listdir(tmp_path) == ["training.gif"]  # no temporary file left
    with Image.open(path) as gif:
        assert gif.format == "GIF" and gif.n_frames == len(recorder)
        assert gif.size == (300, 138) and gif.info["duration"] == 200
        gif.seek(0)
        first = gif.convert("RGB")
        durations = []
        for i in range(gif.n_frames):
            gif.seek(i)
            durations.append(gif.info["duration"])
        last = gif.convert("RGB")
    assert ImageChops.difference(first, last).getbbox() is not None
    # every frame 1 / fps, the last held 2.5 s before the GIF loops
    assert durations == [200] * (len(recorder) - 1) + [frames.HOLD_LAST_MS] and \
        frames.HOLD_LAST_MS == 2500


def test_fast_frames_match_a_full_draw(run):
    """rgb_frames draws the axes once and each frame's changes over them: the
    same picture as drawing the whole figure for that frame."""
    _, recorder, X, y = run
    anim = animate(recorder, X, y, resolution=RES)
    frames = list(anim.rgb_frames(dpi=40))
    assert len(frames) == len(recorder) and frames[0].shape == (184, 400, 3)
    for i in (0, 4):
        buffer = io.BytesIO()
        anim.show(i).savefig(buffer, format="rgba", dpi=40)
        full = np.frombuffer(buffer.getvalue(), np.uint8).reshape(184, 400, 4)[..., :3]
        differ = np.abs(full.astype(int) - frames[i]).max(axis=2) > 40
        # a few antialiased edges drawn in another order (before matplotlib 3.8,
        # contour lines are collections of their own, drawn after the image)
        assert differ.mean() < (0.001 if MPL_38 else 0.01)
    assert np.abs(frames[0].astype(int) - frames[4]).max(axis=2).mean() > 1


def test_any_matplotlib_animation_saves_as_a_gif(tmp_path):
    from matplotlib.animation import FuncAnimation
    from matplotlib.figure import Figure
    fig = Figure(figsize=(2, 2))
    line, = fig.subplots().plot([0, 1], [0, 0])
    anim = FuncAnimation(fig, lambda i: line.set_ydata([0, i]), frames=3)
    with Image.open(save_animation(anim, tmp_path / "plain.gif", fps=4, dpi=20)) as gif:
        assert gif.n_frames == 3 and gif.info["duration"] == 250
        gif.seek(2)
        assert gif.info["duration"] == frames.HOLD_LAST_MS  # the last frame held


def test_a_failed_save_leaves_the_previous_file(run, tmp_path, monkeypatch):
    _, recorder, X, y = run
    path = tmp_path / "training.gif"
    path.write_bytes(b"before")

    def fail(*args):
        raise OSError("disk full")
    monkeypatch.setattr(frames, "_write_gif", fail)
    with pytest.raises(OSError, match="disk full"):
        save_animation(animate(recorder, X, y, resolution=RES), path)
    assert path.read_bytes() == b"before" and os.listdir(tmp_path) == ["training.gif"]


def test_mp4_has_a_frame_per_snapshot(run, tmp_path, monkeypatch):
    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")
    _, recorder, X, y = run
    # no ffmpeg on the PATH: the program imageio-ffmpeg ships is used
    monkeypatch.setattr(frames._animation.writers, "is_available", lambda name: False)
    path = save_animation(animate(recorder, X, y, resolution=RES, fps=10), tmp_path / "a.mp4")
    n_frames, seconds = imageio_ffmpeg.count_frames_and_secs(path)
    assert n_frames == len(recorder) and seconds == pytest.approx(len(recorder) / 10, abs=0.11)
    reader = imageio_ffmpeg.read_frames(path)
    meta = next(reader)
    first = np.frombuffer(next(reader), np.uint8)
    *_, last = reader
    assert meta["fps"] == 10 and meta["size"][0] % 2 == 0 and meta["size"][1] % 2 == 0
    assert first.size == meta["size"][0] * meta["size"][1] * 3
    assert np.abs(first.astype(int) - np.frombuffer(last, np.uint8)).max() > 50  # it moves
    assert os.listdir(tmp_path) == ["a.mp4"]


def test_mp4_needs_ffmpeg_and_other_suffixes_are_refused(run, tmp_path, monkeypatch):
    _, recorder, X, y = run
    anim = animate(recorder, X, y, resolution=RES)
    monkeypatch.setattr(frames._animation.writers, "is_available", lambda name: False)
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)  # import fails
    with pytest.raises(RuntimeError, match="ffmpeg"):
        save_animation(anim, tmp_path / "training.mp4")
    with pytest.raises(ValueError, match=r"path must end in \.gif or \.mp4"):
        save_animation(anim, tmp_path / "training.png")
    assert os.listdir(tmp_path) == []


def test_bad_inputs_are_named(run):
    net, recorder, X, y = run
    with pytest.raises(ValueError, match="2-D inputs, X has 5 features"):
        animate(recorder, np.zeros((4, 5)), np.zeros(4))
    with pytest.raises(ValueError, match="recorder holds no snapshots"):
        animate(Snapshots(), X, y)
    with pytest.raises(TypeError, match="recorder must be a Snapshots"):
        animate(net, X, y)
    regressor = barenet.Network([2, 4, 1], ["tanh", "linear"], seed=0)
    recorded = Snapshots()
    regressor.fit(X, y.astype(float), epochs=2, callbacks=[recorded])
    with pytest.raises(ValueError, match="classifier"):
        animate(recorded, X, y)
    with pytest.raises(ValueError, match="runs must be a non-empty dict"):
        animate_comparison({}, X, y)
    with pytest.raises(ValueError, match=r"runs\['Adam'\]: the network has not been fitted"):
        animate_comparison({"Adam": (network(), recorder)}, X, y)


# ---------------------------------------------------------- comparison


@pytest.fixture(scope="module")
def compared():
    X, y = moons()
    runs = {}
    for name, optimizer, stop in (("GD", barenet.GD(lr=0.1), 20), ("Adam", barenet.Adam(), 12)):
        recorder = Snapshots(every=4)
        runs[name] = (train(network(seed=5), X, y, 20, [recorder, StopAt(stop)], optimizer),
                      recorder)
    return runs, X, y


def test_comparison_frames_are_aligned_by_epoch(compared):
    runs, X, y = compared
    anim = animate_comparison(runs, X, y, resolution=RES)
    assert anim.epochs == [0, 4, 8, 12, 16, 20]
    fig = anim.show(0)
    first = [ax.images[0].get_array().copy() for ax in fig.axes[:2]]
    np.testing.assert_array_equal(*first)  # the same start
    fig = anim.show(len(anim.epochs) - 1)
    gd, adam, losses = fig.axes
    # Adam stopped at epoch 12: it stays there while GD goes on to 20
    assert gd.get_title().startswith("GD: loss") and adam.get_title().startswith("Adam: loss")
    assert [len(line.get_xdata()) for line in losses.lines[::2]] == [20, 12]
    net, recorder = runs["Adam"]
    levels = expected_levels(net, grid(adam.images[0].get_extent(), RES)).reshape(RES, RES)
    np.testing.assert_allclose(adam.images[0].get_array(), levels, rtol=0, atol=1e-6)


def test_comparison_gif(compared, tmp_path):
    runs, X, y = compared
    recorders = {name: recorder for name, (_, recorder) in runs.items()}
    path = save_animation(animate_comparison(recorders, X, y, resolution=RES),
                          str(tmp_path / "compare.gif"), dpi=20)
    with Image.open(path) as gif:
        assert gif.n_frames == 6

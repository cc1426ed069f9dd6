"""The benchmark script's own logic (not its timings): rounds, ratios, targets."""

import importlib.util
import pathlib

import pytest

SPEC = importlib.util.spec_from_file_location(
    "bench", pathlib.Path(__file__).resolve().parent.parent / "bench" / "bench.py")
bench = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(bench)


def test_interleaved_runs_every_library_in_turn_and_takes_ratios_per_round(monkeypatch):
    calls = []
    # each call to a library advances a fake clock by that library's cost
    costs = {"barenet": [1, 1, 4], "peer": [2, 2, 8]}

    def fake_time():
        return fake_time.now

    fake_time.now = 0.0

    def make(name):
        def fn():
            calls.append(name)
            round_ = calls.count(name) - 2  # -1 for the warm-up
            if round_ >= 0:
                fake_time.now += costs[name][round_]
        return fn

    monkeypatch.setattr(bench.time, "perf_counter", fake_time)
    rows = bench.interleaved({"barenet": make("barenet"), "peer": make("peer")}, repeats=3,
                             scale=10)
    assert calls == ["barenet", "peer"] * 4  # a warm-up, then three rounds, in turn
    assert rows["barenet"] == (10, 1.0, (1.0, 1.0))
    assert rows["peer"] == (20, 0.5, (0.5, 0.5))  # median time 2 * scale; every ratio is 1/2


def test_interleaved_reports_the_spread_of_the_rounds(monkeypatch):
    costs = iter([0, 0, 1, 2, 1, 4, 1, 1])  # the warm-ups, then barenet and the peer per round
    now = [0.0]

    def fn():
        now[0] += next(costs)

    monkeypatch.setattr(bench.time, "perf_counter", lambda: now[0])
    rows = bench.interleaved({"barenet": fn, "peer": fn}, repeats=3)
    assert rows["peer"] == (2, 0.5, (0.25, 1.0))  # ratios 1/2, 1/4 and 1


@pytest.mark.parametrize("value, met", [(0.5, "yes"), (0.71, "no")])
def test_targets_report_what_was_measured(value, met):
    results = {"mnist": {"barenet": (1.0, 1.0), "PyTorch": (1.0, value)},
               "small": {"barenet": (29.0, 1.0)}, "memory": 1.2}
    text = "\n".join(bench.targets(results))
    assert f"| mnist | barenet / PyTorch <= 0.7 | {value:.2f} | {met} |" in text
    assert "| small | <= 30 µs per step | 29.0 | yes |" in text
    assert "| memory | peak <= 1.5 x (data + parameters) | 1.20 | yes |" in text
    assert "scikit-learn" not in text  # a peer that did not run is not reported


def test_rewriting_the_report_keeps_the_sections_written_by_hand(tmp_path):
    path = tmp_path / "RESULTS.md"
    assert bench._kept_sections(path) == ""  # no file yet
    path.write_text("# old report\n\nnumbers\n")
    assert bench._kept_sections(path) == ""  # nothing written by hand
    hand = f"{bench.KEPT_HEADING}: the redesign\n\n| workload | ratio |\n|---|---:|\n| small | 0.98 |\n"
    path.write_text("# old report\n\nnumbers\n\n" + hand + "\n\n")
    assert bench._kept_sections(path) == hand

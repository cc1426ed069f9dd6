"""The GPU benchmark script (bench/gpu.py): its rounds and ratios, and a quick run on the CPU."""

import importlib.util
import pathlib
import re
import subprocess
import sys

import pytest

pytest.importorskip("torch")

SCRIPT = pathlib.Path(__file__).resolve().parent.parent / "bench" / "gpu.py"
SPEC = importlib.util.spec_from_file_location("bench_gpu", SCRIPT)
gpu = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(gpu)


def test_interleaved_syncs_around_each_timed_run_and_takes_ratios_to_torch(monkeypatch):
    events = []
    now = [0.0]
    costs = {"barenet-torch": [3, 1], "torch": [2, 2]}  # per round, after the warm-up

    def prep(name):
        events.append(f"prep {name}")

        def run():
            events.append(f"run {name}")
            done = events.count(f"run {name}") - 2  # -1 for the warm-up
            if done >= 0:
                now[0] += costs[name][done]
        return run

    monkeypatch.setattr(gpu.time, "perf_counter", lambda: now[0])
    rows, outputs, errors = gpu.interleaved(
        {"barenet-torch": lambda: prep("barenet-torch"), "torch": lambda: prep("torch")},
        repeats=2, sync=lambda: events.append("sync"))
    assert errors == {}
    # a fresh prep per run, outside the clock; the device synchronized before and after each run
    assert events[:6] == ["prep barenet-torch", "run barenet-torch", "sync",
                          "prep torch", "run torch", "sync"]
    assert events[6:10] == ["prep barenet-torch", "sync", "run barenet-torch", "sync"]
    assert rows["torch"] == (2, None, None)
    assert rows["barenet-torch"] == (2, 1.0, (0.5, 1.5))  # ratios 3/2 and 1/2


def test_a_library_that_fails_drops_out_and_is_reported():
    def broken():
        raise TypeError("no such thing")

    rows, _, errors = gpu.interleaved({"barenet-cupy": broken, "torch": lambda: lambda: None},
                                      repeats=1, sync=lambda: None)
    assert list(rows) == ["torch"]
    assert errors == {"barenet-cupy": "TypeError: no such thing"}


def test_quick_run_on_the_cpu_reports_every_workload(tmp_path):
    report = tmp_path / "r.md"
    done = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--device", "cpu",
                           "--markdown", str(report)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    text = report.read_text(encoding="utf-8")
    assert "barenet-cupy skipped" in text  # no CuPy on the CPU, said so
    sections = {}
    for section in text.split("\n## ")[1:]:
        title, _, body = section.partition("\n")
        sections[title] = body
    titles = {"mnist": "MNIST-shaped", "wide256": "wide:.*batch 256,", "wide1024": "wide:.*batch 1024,",
              "inference": "inference"}
    for workload, pattern in titles.items():
        found = [body for title, body in sections.items() if re.match(pattern, title)]
        assert len(found) == 1, (workload, list(sections))
        for library in ("barenet-torch", "torch"):
            row = re.search(rf"^\| {library} \| ([0-9.e+-]+) \|", found[0], re.MULTILINE)
            assert row and float(row.group(1)) > 0, (workload, library, found[0])
        # barenet-torch computed in torch, where the benchmark put its data
        assert re.search(r"^\| barenet-torch \|.*\| torch cpu \|$", found[0], re.MULTILINE), found[0]
        assert f"| {workload} | barenet-torch |" in sections[f"target: barenet / torch <= {gpu.TARGET}"]

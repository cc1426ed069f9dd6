"""barenet on GPU array libraries against native PyTorch, side by side in one process.

    python bench/gpu.py                         # every workload on cuda (cpu without a GPU)
    python bench/gpu.py --markdown bench/RESULTS-gpu.md
    python bench/gpu.py --device cpu            # the same workloads on torch's CPU tensors
    python bench/gpu.py --only mnist,inference  # some of: mnist, wide256, wide1024, inference
    python bench/gpu.py --quick --device cpu    # tiny shapes, 2 rounds: a smoke test

The libraries, on the same data, architecture and optimizer settings:

- ``barenet-torch``: ``barenet.Network.fit`` (or ``forward``) on torch tensors
  on the device: barenet computes in torch's functions, on that device;
- ``barenet-cupy``: the same on CuPy arrays (only with ``--device cuda``, and
  when CuPy imports and sees a CUDA device; the report says why not otherwise);
- ``torch``: a native ``torch.nn.Sequential`` of the same layers, trained with
  ``nn.CrossEntropyLoss`` on the logits (what barenet's softmax output with
  categorical cross-entropy computes) and ``torch.optim.Adam`` with barenet's
  lr, betas and eps, on batches taken by hand from one ``torch.randperm``
  order per epoch (no DataLoader), as barenet's shuffle does;
- ``barenet-numpy`` (``--libraries``, not run by default): barenet on NumPy
  arrays in host memory, for a CPU comparison.

Each workload builds its data once on the device. Every library runs once to
warm up (CUDA kernels, cuBLAS handles, the caching allocators), then
``--repeats`` rounds in which every library runs once, in turn: a fresh
network or model per run, built on the device before the clock starts, so that only ``fit``
(or the forward pass) is timed. The device is synchronized (torch's and CuPy's)
before each clock is read. The report gives each library's median time and,
for each barenet row, the median over the rounds of barenet's time / torch's
(below 1 means barenet is faster) with the lowest and highest round's ratio;
the target is 1.2. Interleaving keeps a machine that slows down for a while
from weighing on one library only. The workloads run one after the other in
this process; the memory of each is handed back before the next.

Nothing changes torch's numerics: the default dtype is float32, there is no
autocast, and TF32 is left at torch's default (the header records it).

Needs: barenet, torch (CUDA build for a GPU), and CuPy for the barenet-cupy rows.
"""

import argparse
import gc
import os
import platform
import statistics
import subprocess
import sys
import time

import numpy as np

import barenet

import torch

CUPY_ERROR = None  # why CuPy cannot be used, when it cannot
try:
    import cupy
except ImportError as error:
    cupy = None
    CUPY_ERROR = ("CuPy is not installed" if getattr(error, "name", None) == "cupy"
                  else f"CuPy does not import ({error})")
except Exception as error:  # a CuPy that finds no CUDA libraries, say
    cupy = None
    CUPY_ERROR = f"CuPy does not import ({type(error).__name__}: {error})"


TARGET = 1.2  # the most barenet's time / torch's may be, per workload
LIBRARIES = ("barenet-torch", "barenet-cupy", "torch", "barenet-numpy")
DEFAULT_LIBRARIES = "barenet-torch,barenet-cupy,torch"


# ----------------------------------------------------------------- device

class Device:
    """The device the workloads run on: torch's device, and whether CuPy runs there."""

    def __init__(self, name):
        self.torch = torch.device(name)
        self.cuda = self.torch.type == "cuda"
        self.index = (self.torch.index or 0) if self.cuda else None
        self.name = f"cuda:{self.index}" if self.cuda else str(self.torch)
        if self.cuda and not torch.cuda.is_available():
            raise SystemExit(f"--device {name}: torch sees no CUDA device "
                             f"(torch {torch.__version__}, CUDA {torch.version.cuda})")
        self.cupy_reason = self._cupy_reason()
        if self.cupy_reason is None:
            cupy.cuda.Device(self.index).use()

    def _cupy_reason(self):
        """None when barenet-cupy can run here, else why not."""
        if not self.cuda:
            return f"the device is {self.torch}, and CuPy runs on CUDA devices only"
        if cupy is None:
            return CUPY_ERROR
        try:
            count = cupy.cuda.runtime.getDeviceCount()
        except Exception as error:  # no driver, no device
            return f"CuPy sees no CUDA device ({type(error).__name__}: {error})"
        if self.index >= count:
            return f"CuPy sees {count} CUDA device(s), not device {self.index}"
        return None

    def sync(self):
        """Wait for the work queued on the device (torch's and CuPy's)."""
        if self.cuda:
            torch.cuda.synchronize(self.torch)
            if self.cupy_reason is None:
                cupy.cuda.Device(self.index).synchronize()

    def free(self):
        """Hand the memory cached by the libraries back between workloads."""
        gc.collect()
        if self.cuda:
            self.sync()
            torch.cuda.empty_cache()
            if self.cupy_reason is None:
                cupy.get_default_memory_pool().free_all_blocks()
                cupy.get_default_pinned_memory_pool().free_all_blocks()


def where(array):
    """The library and device an array lives in, e.g. 'torch cuda:0', 'cupy cuda:0', 'numpy cpu'."""
    if isinstance(array, torch.Tensor):
        return f"torch {array.device}"
    if cupy is not None and isinstance(array, cupy.ndarray):
        return f"cupy cuda:{array.device.id}"
    if isinstance(array, np.ndarray):
        return "numpy cpu"
    return type(array).__module__.split(".")[0] + " " + type(array).__name__


# ----------------------------------------------------------------- timing

def interleaved(preps, repeats, sync, baseline="torch"):
    """Time each library of ``preps`` (``{library: prep}``) ``repeats`` times, in turn.

    ``prep()`` builds what a run needs (a fresh network, a model) and returns
    the callable to time; only that call is timed, between two
    synchronizations of the device (``sync()``). One warm-up run each, then
    rounds in which every library runs once. A library whose warm-up raises
    drops out (its error is reported). Returns ``(rows, outputs, errors)``:
    ``rows`` maps each library to ``(median time, median over the rounds of
    its time / the baseline's, (lowest, highest) of those ratios)``, the
    ratios None for the baseline itself or without one; ``outputs`` the
    warm-up's return value per library; ``errors`` the error per library that
    failed.
    """
    outputs, errors = {}, {}
    for name, prep in preps.items():
        try:
            outputs[name] = prep()()
            sync()
        except Exception as error:  # reported, and the other libraries still run
            errors[name] = f"{type(error).__name__}: {error}"
    running = [name for name in preps if name not in errors]
    times = {name: [] for name in running}
    for _ in range(repeats):
        for name in running:
            run = preps[name]()
            gc.collect()
            sync()
            start = time.perf_counter()
            run()
            sync()
            times[name].append(time.perf_counter() - start)
            del run
    rows = {}
    for name, t in times.items():
        if name == baseline or baseline not in times:
            rows[name] = (statistics.median(t), None, None)
        else:
            ratios = [a / b for a, b in zip(t, times[baseline])]
            rows[name] = (statistics.median(t), statistics.median(ratios),
                          (min(ratios), max(ratios)))
    return rows, outputs, errors


# -------------------------------------------------------------- the libraries

def barenet_fit(X, y, sizes, activations, lr, batch, seed=0):
    """A fresh barenet Network, built and moved to X's library and device
    (``Network.to``) outside the clock, then one epoch of fit on ``(X, y)``."""
    def prep():
        net = barenet.Network(sizes, activations, seed=seed, dtype="float32").to(X)
        opt = barenet.Adam(lr=lr)

        def run():
            net.fit(X, y, optimizer=opt, epochs=1, batch_size=batch, shuffle=True)
            return net
        return run
    return prep


def torch_model(sizes, device):
    """``nn.Sequential`` of Linear layers with ReLU between them: the logits of
    barenet's network (its softmax is in the loss, or applied at inference)."""
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(torch.nn.Linear(n_in, n_out, device=device, dtype=torch.float32))
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def torch_fit(X, y, sizes, lr, batch, seed=0):
    """A fresh native model and Adam (built outside the clock), then one epoch
    on batches of a ``torch.randperm`` order."""
    adam = barenet.Adam(lr=lr)
    loss_fn = torch.nn.CrossEntropyLoss()

    def prep():
        torch.manual_seed(seed)
        model = torch_model(sizes, X.device)
        opt = torch.optim.Adam(model.parameters(), lr=adam.lr, betas=(adam.beta1, adam.beta2),
                               eps=adam.eps)

        def run():
            m = len(X)
            order = torch.randperm(m, device=X.device)
            for start in range(0, m, batch):
                idx = order[start : start + batch]
                opt.zero_grad(set_to_none=True)
                loss = loss_fn(model(X[idx]), y[idx])
                loss.backward()
                opt.step()
            return model
        return run
    return prep


def barenet_forward(X, y, sizes, activations, seed=0):
    """A barenet network's forward pass over ``X``: its softmax outputs, in X's
    library. The network is built by the first ``prep()`` (the warm-up's, so
    that an error there is reported as the library's) and moved to X's library
    and device (``Network.to``)."""
    nets = []

    def prep():
        if not nets:
            net = barenet.Network(sizes, activations, seed=seed, dtype="float32")
            nets.append(net.to(X))
        return lambda: nets[0].forward(X)
    return prep


# ---------------------------------------------------------------- the data

def make_data(m, n_features, n_classes, kind, seed, device):
    """``m`` random rows (``kind``: 'uniform' or 'normal') and labels, as float32
    and int64 torch tensors on the device."""
    g = torch.Generator(device=device.torch).manual_seed(seed)
    shape = (m, n_features)
    if kind == "uniform":
        X = torch.rand(shape, generator=g, device=device.torch, dtype=torch.float32)
    else:
        X = torch.randn(shape, generator=g, device=device.torch, dtype=torch.float32)
    y = torch.randint(0, n_classes, (m,), generator=g, device=device.torch, dtype=torch.int64)
    return X, y


def views(X, y, libraries, device):
    """The same data for each barenet library: torch tensors as they are, CuPy
    arrays sharing the device memory (DLPack), NumPy copies in host memory."""
    data = {}
    if "barenet-torch" in libraries:
        data["barenet-torch"] = (X, y)
    if "barenet-cupy" in libraries and device.cupy_reason is None:
        data["barenet-cupy"] = (cupy.from_dlpack(X), cupy.from_dlpack(y))
    if "barenet-numpy" in libraries:
        data["barenet-numpy"] = (X.cpu().numpy(), y.cpu().numpy())
    return data


# -------------------------------------------------------------- workloads

def training_workload(title, m, n_features, sizes, activations, batch, kind, seed, libraries,
                      repeats, device):
    """One epoch of training on ``m`` random rows, every library; returns
    ``(title, rows, locations, errors)``."""
    lr = 1e-3
    X, y = make_data(m, n_features, sizes[-1], kind, seed, device)
    preps = {}
    for name, (Xl, yl) in views(X, y, libraries, device).items():
        preps[name] = barenet_fit(Xl, yl, sizes, activations, lr, batch)
    if "torch" in libraries:
        preps["torch"] = torch_fit(X, y, sizes, lr, batch)
    rows, outputs, errors = interleaved(preps, repeats, device.sync)
    locations = {}
    for name, net in outputs.items():
        if name == "torch":
            locations[name] = where(next(net.parameters()))
        else:  # where barenet computes: its outputs for two of the rows it trained on
            locations[name] = where(net.forward(views(X[:2], y[:2], [name], device)[name][0]))
    steps = -(-m // batch)
    return f"{title} ({steps} steps)", rows, locations, errors


def workload_mnist(repeats, quick, libraries, device):
    m = 2_000 if quick else 60_000
    title = (f"MNIST-shaped: {m} x 784 float32, 784-256-128-10 ReLU/softmax, Adam lr=1e-3, "
             "batch 128, 1 epoch")
    return training_workload(title, m, 784, [784, 256, 128, 10], ["relu", "relu", "softmax"],
                             128, "uniform", 0, libraries, repeats, device)


def wide(batch):
    def workload(repeats, quick, libraries, device):
        m = 2_048 if quick else 60_000
        title = (f"wide: {m} x 512 float32, 512-1024-1024-1024-10 ReLU/softmax, Adam lr=1e-3, "
                 f"batch {batch}, 1 epoch")
        return training_workload(title, m, 512, [512, 1024, 1024, 1024, 10],
                                 ["relu", "relu", "relu", "softmax"], batch, "normal", 1,
                                 libraries, repeats, device)
    return workload


def workload_inference(repeats, quick, libraries, device):
    m = 20_000 if quick else 1_000_000
    sizes, activations = [784, 256, 128, 10], ["relu", "relu", "softmax"]
    X, y = make_data(m, 784, 10, "uniform", 2, device)
    preps = {}
    for name, (Xl, yl) in views(X, y, libraries, device).items():
        preps[name] = barenet_forward(Xl, yl, sizes, activations)
    if "torch" in libraries:
        torch.manual_seed(0)
        model = torch_model(sizes, device.torch)

        def infer():
            with torch.inference_mode():
                return torch.softmax(model(X), dim=1)
        preps["torch"] = lambda: infer
    rows, outputs, errors = interleaved(preps, repeats, device.sync)
    locations = {name: where(P) for name, P in outputs.items()}
    title = f"inference: the MNIST-shaped network's softmax outputs (forward) on {m} x 784 rows"
    return title, rows, locations, errors


WORKLOADS = {"mnist": workload_mnist, "wide256": wide(256), "wide1024": wide(1024),
             "inference": workload_inference}


# --------------------------------------------------------------- report

def nvidia_driver(index):
    """The driver version nvidia-smi reports for GPU ``index``, or why there is none."""
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=30, check=True).stdout
    except FileNotFoundError:
        return "unknown (no nvidia-smi)"
    except (subprocess.SubprocessError, OSError) as error:
        return f"unknown (nvidia-smi: {type(error).__name__})"
    lines = [line.strip() for line in out.splitlines() if line.strip()]
    return lines[index] if index < len(lines) else (lines[0] if lines else "unknown")


def cpu_name():
    name = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            name = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return name


def machine(device):
    """The header's lines: the device, its driver and CUDA, the libraries' versions, the CPU."""
    lines = []
    if device.cuda:
        props = torch.cuda.get_device_properties(device.torch)
        lines.append(f"GPU: {torch.cuda.get_device_name(device.torch)} "
                     f"({props.total_memory / 2**30:.0f} GiB), device {device.torch}, "
                     f"driver {nvidia_driver(device.index)}, CUDA {torch.version.cuda} (torch's)")
    else:
        lines.append(f"device: {device.torch} (no GPU: torch.cuda.is_available() is "
                     f"{torch.cuda.is_available()})")
    tf32 = (f"torch.backends.cuda.matmul.allow_tf32={torch.backends.cuda.matmul.allow_tf32}, "
            f"torch.backends.cudnn.allow_tf32={torch.backends.cudnn.allow_tf32}, "
            f"float32 matmul precision '{torch.get_float32_matmul_precision()}'")
    lines.append(f"torch {torch.__version__} ({torch.get_num_threads()} CPU threads), TF32 left "
                 f"at torch's default: {tf32}; default dtype {torch.get_default_dtype()}")
    if cupy is not None:
        try:
            runtime = cupy.cuda.runtime.runtimeGetVersion()
            runtime = f"CUDA runtime {runtime // 1000}.{runtime % 1000 // 10}"
        except Exception as error:
            runtime = f"no CUDA runtime ({type(error).__name__})"
        lines.append(f"CuPy {cupy.__version__} ({runtime}, CUPY_TF32="
                     f"{os.environ.get('CUPY_TF32', 'unset')})")
    else:
        lines.append(f"CuPy absent: {CUPY_ERROR}")
    lines.append(f"barenet {barenet.__version__}, NumPy {np.__version__}, "
                 f"Python {platform.python_version()}")
    lines.append(f"CPU: {cpu_name()}, {os.cpu_count()} cores")
    return lines


def expected_place(library, device):
    """Where ``library`` should compute, as ``where`` writes it."""
    return {"barenet-torch": f"torch {device.name}", "torch": f"torch {device.name}",
            "barenet-cupy": f"cupy {device.name}", "barenet-numpy": "numpy cpu"}[library]


def table(title, rows, locations, errors, skipped, device):
    """A workload's section of the report."""
    block = [f"## {title}", "",
             "| library | median (s) | barenet / torch (median of rounds) | lowest -- highest round "
             f"| <= {TARGET} | computes in |", "|---|---:|---:|---:|:---:|---|"]
    for lib, (value, vs, spread) in rows.items():
        if vs is None:
            block.append(f"| {lib} | {value:.4g} |  |  |  | {locations.get(lib, '')} |")
        else:
            met = met_or_not(vs, locations.get(lib), expected_place(lib, device))
            block.append(f"| {lib} | {value:.4g} | {vs:.2f} | {spread[0]:.2f} -- {spread[1]:.2f} "
                         f"| {met} | {locations.get(lib, '')} |")
    notes = [f"- {lib} failed: {error}" for lib, error in errors.items()]
    notes += [f"- {lib} skipped: {reason}" for lib, reason in skipped.items()]
    notes += [f"- {lib} computed in {place}, not in {expected_place(lib, device)}: its time is "
              "not that of barenet on that library and device"
              for lib, place in locations.items() if place != expected_place(lib, device)]
    return block + ([""] + notes if notes else []) + [""]


def met_or_not(ratio, place, expected):
    """'yes' or 'no' against the target; 'n/a' for a time taken elsewhere than
    where the library should compute."""
    if place != expected:
        return f"n/a (computed in {place})"
    return "yes" if ratio <= TARGET else "no"


def targets(results, device):
    """Every barenet / torch ratio against the target."""
    block = [f"## target: barenet / torch <= {TARGET}", "",
             "| workload | library | barenet / torch | met |", "|---|---|---:|:---:|"]
    for name, (rows, locations) in results.items():
        for lib, (_, vs, _) in rows.items():
            if vs is not None:
                met = met_or_not(vs, locations.get(lib), expected_place(lib, device))
                block.append(f"| {name} | {lib} | {vs:.2f} | {met} |")
    return block + [""]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu",
                        help="torch device: cuda (the default with a GPU), cuda:1, cpu")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="tiny shapes, 2 repeats")
    parser.add_argument("--markdown", metavar="FILE", help="also write the report here")
    parser.add_argument("--only", help="comma-separated workloads: " + ",".join(WORKLOADS))
    parser.add_argument("--libraries", default=DEFAULT_LIBRARIES,
                        help=f"comma-separated, of {','.join(LIBRARIES)} (default {DEFAULT_LIBRARIES})")
    args = parser.parse_args(argv)
    repeats = 2 if args.quick else args.repeats
    chosen = (args.only or ",".join(WORKLOADS)).split(",")
    libraries = args.libraries.split(",")
    for name, known in [(w, WORKLOADS) for w in chosen] + [(lib, LIBRARIES) for lib in libraries]:
        if name not in known:
            parser.error(f"unknown name {name!r}: choose among {', '.join(known)}")

    torch.set_default_dtype(torch.float32)
    device = Device(args.device)
    skipped = {}
    if "barenet-cupy" in libraries and device.cupy_reason is not None:
        skipped["barenet-cupy"] = device.cupy_reason
    command = " ".join(["python bench/gpu.py", *(argv if argv is not None else sys.argv[1:])])
    lines = ["# barenet on GPU array libraries against PyTorch", "",
             *[f"- {line}" for line in machine(device)],
             f"- command: `{command}`, {repeats} interleaved rounds after a warm-up",
             *[f"- {lib} skipped: {reason}" for lib, reason in skipped.items()], ""]
    print("\n".join(lines), flush=True)

    results, failed = {}, False
    for name in WORKLOADS:
        if name not in chosen:
            continue
        title, rows, locations, errors = WORKLOADS[name](repeats, args.quick, libraries, device)
        device.free()
        results[name] = rows, locations
        failed = failed or bool(errors)
        block = table(title, rows, locations, errors, skipped, device)
        print("\n".join(block), flush=True)
        lines += block
    block = targets(results, device)
    print("\n".join(block), flush=True)
    lines += block
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as f:
            f.write("\n".join(lines))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""Train barenet's MLPClassifier on a Dask array larger than the process may hold.

The table lives on disk as a stack of ``.npy`` blocks (Dask's ``to_npy_stack``
format). The training process caps its own memory -- after its imports it may
take at most ``--budget-mb`` more (``RLIMIT_DATA``, Linux) -- so that loading
the table whole is refused with a ``MemoryError``; it checks that it is.
dask-ml's ``Incremental`` then feeds the blocks one at a time to
``MLPClassifier.partial_fit`` (one epoch per block: minibatches of
``batch_size`` rows, shuffled), in a new random order on every pass; the
accuracy on a held-out stack is computed block by block as well
(``Incremental`` predicts like ``ParallelPostFit``). The process reports its
peak resident memory (``ru_maxrss``) next to the size of the data::

    pip install "barenet[dask]"
    python docs/examples/out_of_core.py --rows 5000000 --budget-mb 512 --dir /tmp/table

writes a 2 GB table (5 million rows, 50 features, 4 classes set by a fixed
random teacher network) unless ``--dir`` already holds one, then trains in a
fresh process and prints one JSON line of measurements. The same code trains
on a cluster: start a ``dask.distributed.Client`` first and the blocks are
read and fitted by its workers.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time

import dask
import dask.array as da
import numpy as np

CLASSES = 4


def teacher(features, seed=0):
    """A fixed random network ``x -> argmax(tanh(x W1) W2)`` that labels the rows."""
    rng = np.random.default_rng(seed)
    W1 = rng.standard_normal((features, 32)) / np.sqrt(features)
    W2 = rng.standard_normal((32, CLASSES))
    return lambda X: np.argmax(np.tanh(X @ W1) @ W2, axis=1)


def write_table(directory, rows, features, chunk_rows, seed):
    """Write ``X`` (rows x features, standard normal) and its labels ``y`` as
    two npy stacks under ``directory``, block by block (never whole)."""
    os.makedirs(directory, exist_ok=True)
    label = teacher(features)
    X = da.random.default_rng(seed).standard_normal((rows, features),
                                                    chunks=(chunk_rows, features))
    y = X.map_blocks(label, drop_axis=1, dtype=np.int64)
    with dask.config.set(scheduler="synchronous"):  # one block in memory at a time
        da.to_npy_stack(os.path.join(directory, "X"), X)
        da.to_npy_stack(os.path.join(directory, "y"), y)


def _data_kib():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmData:"))


def cap_memory(budget_mb):
    """Let this process allocate at most ``budget_mb`` more than it has now."""
    limit = _data_kib() * 1024 + budget_mb * 2**20
    resource.setrlimit(resource.RLIMIT_DATA, (limit, resource.getrlimit(resource.RLIMIT_DATA)[1]))


def train(directory, budget_mb, passes, seed=0):
    """Train on the stacks under ``directory`` with at most ``budget_mb`` of
    new memory; return the measurements as a dict."""
    from dask_ml.wrappers import Incremental

    from barenet.sklearn import MLPClassifier

    def stack(name):
        return da.from_npy_stack(os.path.join(directory, name), mmap_mode=None)  # plain reads

    X, y, X_test, y_test = (stack(name) for name in ("X", "y", "X_test", "y_test"))
    # a first tiny fit loads what training uses (BLAS's buffers, compiled loops)
    warm = np.random.default_rng(0).standard_normal((64, X.shape[1]))
    MLPClassifier(max_iter=1).partial_fit(warm, np.arange(64) % CLASSES,
                                       classes=np.arange(CLASSES))
    cap_memory(budget_mb)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        np.empty(X.shape, X.dtype)
        raise SystemExit("the budget holds the whole table: raise --rows or lower --budget-mb")
    except MemoryError:
        pass  # as intended: the table does not fit
    model = Incremental(MLPClassifier(hidden_layer_sizes=(64,), batch_size=256,
                                      random_state=seed), scoring="accuracy")
    start = time.perf_counter()
    with dask.config.set(scheduler="synchronous"):  # blocks read and fitted one by one
        for i in range(passes):
            model.set_params(random_state=seed + i)  # a new block order on every pass
            model.partial_fit(X, y, classes=np.arange(CLASSES))
        seconds = time.perf_counter() - start
        accuracy = model.score(X_test, y_test)
    return {"rows": X.shape[0], "features": X.shape[1], "blocks": X.numblocks[0],
            "data_mb": round((X.nbytes + y.nbytes) / 2**20), "budget_mb": budget_mb,
            "rss_after_imports_mb": round(rss_before / 1024),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "passes": passes, "train_seconds": round(seconds, 1),
            "test_accuracy": round(float(accuracy), 4)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", default="out-of-core-table", help="where the table is kept")
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--features", type=int, default=50)
    parser.add_argument("--chunk-rows", type=int, default=100_000)
    parser.add_argument("--budget-mb", type=int, default=512,
                        help="memory the training process may take after its imports")
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--train-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.train_only:  # the fresh training process
        print(json.dumps(train(args.dir, args.budget_mb, args.passes)))
        return
    if not os.path.exists(os.path.join(args.dir, "X", "info")):
        write_table(args.dir, args.rows, args.features, args.chunk_rows, seed=0)
        test_rows = max(args.rows // 10, args.chunk_rows)
        write_table(os.path.join(args.dir, "test"), test_rows, args.features,
                    args.chunk_rows, seed=1)
        for name in ("X", "y"):
            os.replace(os.path.join(args.dir, "test", name),
                       os.path.join(args.dir, f"{name}_test"))
    subprocess.run([sys.executable, __file__, "--train-only", "--dir", args.dir,
                    "--budget-mb", str(args.budget_mb), "--passes", str(args.passes)],
                   check=True)


if __name__ == "__main__":
    main()

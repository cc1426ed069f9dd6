"""The ``barenet`` command: compare optimizers, train a network, predict with or export a saved one.

    barenet compare                  # GD, Momentum, RMSProp and Adam on the same net
    barenet train --data spirals     # one network; writes model, curves, boundary
    barenet predict MODEL DATA       # labels (or --proba) as CSV
    barenet export MODEL OUT.onnx    # the model as ONNX, for onnxruntime

Every error the user can cause -- a bad option, a bad value, a missing or
damaged file -- ends the command with one line on stderr and a non-zero exit
status, never a traceback (set BARENET_DEBUG=1 to see one).
"""

import argparse
import csv
import io
import os
import sys
import time

import numpy as np

from . import __version__, datasets, optimizers, schedules
from . import onnx as _onnx
from .callbacks import EarlyStopping
from ._files import read_npz
from .errors import TrainingDiverged
from .network import Network
from .persistence import load

# The notebook's example network: hidden layers of 5 and 2 ReLU units.
DEFAULT_HIDDEN = "5,2"
COMPARED = ("gd", "momentum", "rmsprop", "adam")


class UsageError(Exception):
    """A bad value on the command line (reported as one line, exit status 2)."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line, not usage text plus the error."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\n")


# ------------------------------------------------------------ argument types

def _int_at_least(minimum):
    """An argparse type: a whole number >= ``minimum``."""

    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    return parse


def _number(low, high=None, low_inclusive=False):
    """An argparse type: a finite number above ``low`` (or equal to it, when
    ``low_inclusive``) and below ``high``."""

    def parse(text):
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        above = value >= low if low_inclusive else value > low
        if not np.isfinite(value) or not above or (high is not None and value >= high):
            bounds = f"{'>=' if low_inclusive else '>'} {low:g}"
            if high is not None:
                bounds += f" and < {high:g}"
            raise argparse.ArgumentTypeError(f"must be a number {bounds}, got {text}")
        return value

    return parse


def _hidden_sizes(text):
    if text.strip() in ("", "none"):
        return []
    try:
        sizes = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected hidden layer sizes such as 16,8, got {text!r}"
        ) from None
    if any(n < 1 for n in sizes):
        raise argparse.ArgumentTypeError(f"layer sizes must be at least 1, got {text!r}")
    return sizes


def _add_network_options(p, default_data, default_epochs, default_lr, default_batch):
    p.add_argument("--data", default=default_data, metavar="NAME|FILE",
                   help="a built-in data set (" + ", ".join(datasets.NAMES) + "), a .csv file "
                   "whose last column is the label, or an .npz file with X and y (or X_train, "
                   "y_train, X_test, y_test); MNIST is downloaded once into $BARENET_DATA "
                   f"(default ~/.cache/barenet) (default: {default_data})")
    p.add_argument("--regression", action="store_true",
                   help="treat the labels as real-valued targets (mean squared error, linear "
                   "output) even when they are whole numbers")
    p.add_argument("--layers", type=_hidden_sizes, default=DEFAULT_HIDDEN, metavar="N,N,...",
                   help="hidden layer sizes; the input and output layers follow from the data "
                   f"(default: {DEFAULT_HIDDEN}, the notebook's example)")
    p.add_argument("--activations", default="relu", metavar="NAME[,NAME...]",
                   help="activation of the hidden layers: one name for all, or one per hidden "
                   "layer; the output is sigmoid (2 classes), softmax (more) or linear "
                   "(regression) (default: relu)")
    p.add_argument("--init", default="he", choices=["random", "xavier", "he"],
                   help="weight initialization (default: he)")
    p.add_argument("--lr", type=_number(0), default=default_lr,
                   help=f"learning rate (default: {default_lr})")
    p.add_argument("--epochs", type=_int_at_least(1), default=default_epochs,
                   help=f"passes over the training set (default: {default_epochs})")
    p.add_argument("--batch-size", type=_int_at_least(1), default=default_batch,
                   help=f"samples per step (default: {default_batch})")
    p.add_argument("--seed", type=_int_at_least(0), default=0,
                   help="seed for the data, the initial weights and the shuffling (default: 0)")
    p.add_argument("--dtype", choices=["float32", "float64"], default="float32",
                   help="floating-point precision (default: float32)")
    p.add_argument("--l2", type=_number(0, low_inclusive=True), default=0.0, metavar="LAMBDA",
                   help="L2 regularization strength, lambda/(2m) * sum of squared weights "
                   "(default: 0)")
    p.add_argument("--dropout", type=_number(0, 1, low_inclusive=True), default=0.0,
                   metavar="RATE", help="dropout rate of the hidden layers (default: 0)")
    p.add_argument("--batch-norm", action="store_true",
                   help="batch-normalize the hidden layers")
    p.add_argument("--schedule", choices=list(schedules.REGISTRY),
                   help="learning-rate schedule over the epochs (default: none)")


def build_parser():
    parser = _Parser(
        prog="barenet",
        description="Fully connected neural networks in plain NumPy.",
    )
    parser.add_argument("--version", action="version", version=f"barenet {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    p = commands.add_parser(
        "compare", help="train the same network with GD, Momentum, RMSProp and Adam",
        description="Train one network four times, with GD, Momentum, RMSProp and Adam at "
        "the same learning rate, from the same initial weights. Prints a table and writes "
        "one figure (the cost curves, and the decision boundaries for 2-D data).",
    )
    _add_network_options(p, "moons", 3000, 0.0075, 64)
    p.add_argument("--out", default="barenet-out", metavar="DIR",
                   help="directory for compare.png (default: barenet-out)")

    p = commands.add_parser(
        "train", help="train one network, save it and plot its learning curves",
        description="Train one network and write DIR/model.npz, DIR/learning_curves.png and, "
        "for 2-D data, DIR/decision_boundary.png. With no options: the notebook's example, "
        "ReLU hidden layers of 5 and 2 units, a sigmoid output and He initialization, on two moons.",
    )
    _add_network_options(p, "moons", 1000, 0.0075, 64)
    p.add_argument("--optimizer", default="adam", choices=list(optimizers.REGISTRY),
                   help="optimizer (default: adam)")
    p.add_argument("--out", default="barenet-out", metavar="DIR",
                   help="directory for the model and figures (default: barenet-out)")
    p.add_argument("--early-stopping", type=_int_at_least(1), metavar="PATIENCE",
                   help="hold out 10%% of the training set and stop when its loss has not "
                   "improved for PATIENCE epochs, keeping the best weights")
    p.add_argument("--quiet", action="store_true", help="no progress bar")

    p = commands.add_parser(
        "predict", help="predict with a saved model",
        description="Predict with a model saved by 'barenet train' (or Network.save). DATA is "
        "a CSV file of feature columns (a header row is skipped), an .npz file holding X "
        "(or X_test), or a built-in data set name (its test split). Writes CSV: a 'label' "
        "column, and with --proba one probability column per class.",
    )
    p.add_argument("model", metavar="MODEL", help="a saved model (.npz)")
    p.add_argument("data", metavar="DATA", help="CSV or .npz file of inputs, or a data set name")
    p.add_argument("--proba", action="store_true", help="also write class probabilities")
    p.add_argument("--seed", type=_int_at_least(0), default=0,
                   help="for a data set name: the seed of its split (default: 0)")
    p.add_argument("--out", metavar="FILE", help="write the CSV here instead of to stdout")

    p = commands.add_parser(
        "export", help="export a saved model to ONNX",
        description="Write a model saved by 'barenet train' (or Network.save) as an ONNX file "
        "for onnxruntime and other ONNX runtimes: input 'X' of shape (N, n_features) in the "
        "model's dtype; outputs 'label' and 'probabilities' for a classifier, 'variable' for "
        "a regressor. Batch normalization is folded into the weights and dropout removed. "
        "Needs the onnx package: pip install barenet[onnx].",
    )
    p.add_argument("model", metavar="MODEL", help="a saved model (.npz)")
    p.add_argument("out", metavar="OUT", help="the ONNX file to write, e.g. model.onnx")
    p.add_argument("--opset", type=_int_at_least(_onnx.MIN_OPSET), default=_onnx.OPSET,
                   metavar="N", help=f"ONNX operator set to target, {_onnx.MIN_OPSET} or newer "
                   f"(default: {_onnx.OPSET})")
    return parser


# ---------------------------------------------------------------- the commands

def _network_for(data, args, seed_offset=0):
    """A Network shaped for ``data`` from the command-line options."""
    y = data.y_train
    classes = np.unique(y)
    continuous = args.regression or (y.dtype.kind == "f" and not np.array_equal(y, np.round(y)))
    hidden = list(args.layers)
    names = [a.strip() for a in args.activations.split(",")]
    if len(names) == 1:
        names = names * len(hidden)
    if len(names) != len(hidden):
        raise UsageError(
            f"--activations has {len(names)} names for {len(hidden)} hidden layers; "
            "give one name for all, or one per hidden layer"
        )
    if not continuous and len(classes) < 2:
        raise UsageError(
            f"the training data of {data.name} has a single class ({classes.tolist()}); "
            "a classifier needs two or more (use --regression for real-valued targets)"
        )
    if continuous:
        n_out = 1 if y.ndim == 1 else y.shape[1]
        output = "linear"
    elif len(classes) == 2:
        n_out, output = 1, "sigmoid"
    else:
        n_out, output = len(classes), "softmax"
    sizes = [data.X_train.shape[1]] + hidden + [n_out]
    return Network(sizes, names + [output], init=args.init, seed=args.seed + seed_offset,
                   dtype=args.dtype, l2=args.l2, dropout=args.dropout,
                   batch_norm=args.batch_norm)


def _scores(net, data):
    train = net.evaluate(data.X_train, data.y_train)
    test = net.evaluate(data.X_test, data.y_test)
    return train, test


def _write_figure(fig, path):
    fig.savefig(path, dpi=110)
    print(f"wrote {path}")


def cmd_compare(args):
    from . import plot

    data = datasets.load(args.data, seed=args.seed)
    os.makedirs(args.out, exist_ok=True)
    results, rows = {}, []
    for name in COMPARED:
        net = _network_for(data, args)
        optimizer = optimizers.REGISTRY[name](lr=args.lr)
        start = time.perf_counter()
        history = net.fit(data.X_train, data.y_train, optimizer=optimizer, epochs=args.epochs,
                          batch_size=args.batch_size, schedule=args.schedule)
        seconds = time.perf_counter() - start
        train, test = _scores(net, data)
        metric = net._metric_name
        label = type(optimizer).__name__
        results[label] = (net, history)
        rows.append((label, history["loss"][-1], train[metric], test[metric], seconds))

    print(f"{data.name}: {len(data.X_train)} training and {len(data.X_test)} test samples; "
          f"layers {list(net.layer_sizes)}, lr {args.lr}, {args.epochs} epochs, "
          f"batch {args.batch_size}")
    header = ("optimizer", "final cost", f"train {metric}", f"test {metric}", "seconds")
    print(f"{header[0]:<10} {header[1]:>11} {header[2]:>15} {header[3]:>14} {header[4]:>8}")
    for label, cost, train_score, test_score, seconds in rows:
        print(f"{label:<10} {cost:>11.4f} {train_score:>15.4f} {test_score:>14.4f} {seconds:>8.2f}")
    fig = plot.optimizer_comparison(results, data.X_train, data.y_train)
    fig.suptitle(f"{data.name}: the same network, four optimizers (lr {args.lr})")
    _write_figure(fig, os.path.join(args.out, "compare.png"))


def cmd_train(args):
    from . import plot

    data = datasets.load(args.data, seed=args.seed)
    net = _network_for(data, args)
    optimizer = optimizers.REGISTRY[args.optimizer](lr=args.lr)
    print(f"{data.name}: {len(data.X_train)} training and {len(data.X_test)} test samples; "
          f"layers {list(net.layer_sizes)}, {[a.name for a in net.activations]}, "
          f"{type(optimizer).__name__} lr {args.lr}")
    if args.early_stopping:
        # the test split stays unseen: early stopping watches a slice of the training set
        validation = {"validation_split": 0.1}
        callbacks = [EarlyStopping(patience=args.early_stopping)]
    else:
        validation = {"validation_data": (data.X_test, data.y_test)}
        callbacks = []
    history = net.fit(data.X_train, data.y_train, optimizer=optimizer, epochs=args.epochs,
                      batch_size=args.batch_size, schedule=args.schedule, callbacks=callbacks,
                      verbose=not args.quiet, **validation)
    if callbacks and callbacks[0].stopped_epoch:
        print(f"stopped early at epoch {callbacks[0].stopped_epoch}; kept the weights of "
              f"epoch {callbacks[0].best_epoch}")
    train, test = _scores(net, data)
    for split, scores in (("training", train), ("test", test)):
        print(f"{split:<9} " + "  ".join(f"{k} {v:.4f}" for k, v in scores.items()))
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "model.npz")
    net.save(path)
    print(f"wrote {path}")
    _write_figure(plot.learning_curves(history, title=data.name),
                  os.path.join(args.out, "learning_curves.png"))
    if data.X_train.shape[1] == 2 and net.task != "regression":
        fig = plot.decision_boundary(net, data.X_train, data.y_train, title=data.name)
        _write_figure(fig, os.path.join(args.out, "decision_boundary.png"))


def _read_inputs(spec, n_features, seed=0):
    """Inputs for ``predict``: a CSV of features, an .npz with X, or a data set name."""
    if spec.lower().endswith(".csv"):
        if not os.path.exists(spec):
            raise FileNotFoundError(f"no data file at {spec}")
        with open(spec, newline="") as f:
            rows = [row for row in csv.reader(f) if row and any(cell.strip() for cell in row)]
        if rows:
            try:
                [float(cell) for cell in rows[0]]
            except ValueError:
                rows = rows[1:]  # a header
        if not rows:
            raise ValueError(f"{spec} holds no data rows")
        values = []
        for line, row in enumerate(rows, 1):
            if len(row) != len(rows[0]):
                raise ValueError(f"{spec}: data row {line} has {len(row)} columns, not {len(rows[0])}")
            try:
                values.append([float(cell) for cell in row])
            except ValueError:
                raise ValueError(f"{spec}: data row {line} has a cell that is not a number") from None
        X = np.array(values)
    elif spec.lower().endswith(".npz"):
        if not os.path.exists(spec):
            raise FileNotFoundError(f"no data file at {spec}")
        arrays = read_npz(spec)
        key = next((k for k in ("X", "X_test") if k in arrays), None)
        if key is None:
            raise ValueError(f"{spec} holds no array named X or X_test")
        X = arrays[key]
    else:
        X = datasets.load(spec, seed=seed).X_test
    if X.ndim != 2 or X.shape[1] != n_features:
        raise ValueError(f"{spec} has inputs of shape {X.shape}, but the model takes {n_features} features")
    return X


def cmd_predict(args):
    net = load(args.model)
    X = _read_inputs(args.data, net.layer_sizes[0], args.seed)
    labels = net.predict(X)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if net.task == "regression":
        values = labels.reshape(len(X), -1)
        writer.writerow(["prediction"] if values.shape[1] == 1 else
                        [f"prediction_{j}" for j in range(values.shape[1])])
        writer.writerows(values.tolist())
    else:
        header = ["label"]
        columns = [labels.tolist()]
        if args.proba:
            P = net.predict_proba(X)
            header += [f"p_{c}" for c in net.classes_.tolist()]
            columns += [P[:, j].tolist() for j in range(P.shape[1])]
        writer.writerow(header)
        writer.writerows(zip(*columns))
    if args.out:
        with open(args.out, "w", newline="") as f:
            f.write(out.getvalue())
        print(f"wrote {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(out.getvalue())


def cmd_export(args):
    _onnx.export(load(args.model), args.out, opset=args.opset)
    print(f"wrote {args.out}")


COMMANDS = {"compare": cmd_compare, "train": cmd_train, "predict": cmd_predict,
            "export": cmd_export}


def main(argv=None):
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        COMMANDS[args.command](args)
    except UsageError as exc:
        print(f"barenet {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except (ValueError, TypeError, OSError, ImportError, TrainingDiverged) as exc:
        if os.environ.get("BARENET_DEBUG"):
            raise
        print(f"barenet {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"\nbarenet {args.command}: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The command line's grammar: every command, option, default and check of a value."""

import argparse

import numpy as np

from .. import __version__, activations, datasets, optimizers, schedules
from ..io import onnx as _onnx
from .common import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_USAGE

EPILOG = f"""\
exit status: 0 done; {EXIT_FAILED} a data, model or file error (the message says which);
{EXIT_USAGE} a usage error (a bad option or value); {EXIT_INTERRUPTED} interrupted by Ctrl-C (train
saves what it has first). Set BARENET_DEBUG=1 to see a traceback instead of one line.
"""

TRAIN_DEFAULTS_HELP = """\
defaults chosen from the data: without --layers, the notebook's example (--data moons)
has ReLU hidden layers of 5 and 2 units; any other data one hidden layer whose width is
the power of two at or above 2 x max(features, outputs), between 16 and 128 and at most
a quarter of the training samples (but at least 16). Without --epochs, the notebook's
example trains {epochs} epochs; any other data about 20,000 steps, between 10 and 300
epochs (300 for sets of up to about 4,200 samples at batch size 64). Without --l2, other
data than the notebook's example get an L2 strength of 0.03. Inputs are standardized with
the training split's mean and standard deviation, kept in the model (--no-scale turns this
off).
"""

TARGETS_HELP = """Real-valued targets (regression) are standardized too, and the scaling folded into the
saved model's output layer, so that it predicts in the targets' units; they get an L2
strength of 0.3 and early stopping with a patience of 20 epochs on 10% of the training set
(of 20 samples or more).
"""


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line, not usage text plus the error."""

    def error(self, message):
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


# ------------------------------------------------------------ argument types

def int_at_least(minimum):
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


def number(low, high=None, low_inclusive=False):
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


def hidden_sizes(text):
    """``--layers``: comma-separated sizes, or 'none' for no hidden layer."""
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


def activation_names(text):
    """``--activations``: one name, or one per hidden layer, from the registry."""
    names = [name.strip() for name in text.split(",")]
    unknown = [name for name in names if name not in activations.REGISTRY]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown activation {unknown[0]!r}; valid names are "
            f"{', '.join(activations.REGISTRY)}")
    return names


# ------------------------------------------------------------------ options

def _add_data_options(p, what="the data"):
    p.add_argument("--label", metavar="NAME|INDEX",
                   help="for a CSV file: the label column, by its header name or 0-based "
                   "index (negative counts from the end)" + (
                       " (default: the last column)" if what == "the data" else
                       "; that column is left out of the inputs (default: every column is "
                       "an input)"))
    p.add_argument("--data-dir", metavar="DIR",
                   help="for --data mnist or fashion-mnist: a directory holding the four "
                   "IDX files (plain or .gz), obtained elsewhere; they are checked against "
                   "the known checksums (default: download once into $BARENET_DATA, "
                   "~/.cache/barenet)")


# ``compare --init`` without a name: the three initializations compared (init.png)
ALL_INITS = ("random", "xavier", "he")


def _add_network_options(p, default_data, default_epochs, default_batch, init_lesson=False):
    p.add_argument("--data", default=default_data, metavar="NAME|FILE",
                   help="a built-in data set (" + ", ".join(datasets.NAMES) + "), a .csv file "
                   "(label in the last column, or see --label), or an .npz file with X and y "
                   "(or X_train, y_train, X_test, y_test); the test split is 25%% of the "
                   f"samples (default: {default_data})")
    _add_data_options(p)
    p.add_argument("--regression", action="store_true",
                   help="treat the labels as real-valued targets (mean squared error, linear "
                   "output) even when they are whole numbers")
    p.add_argument("--layers", type=hidden_sizes, metavar="N,N,...",
                   help="hidden layer sizes, or 'none'; the input and output layers follow "
                   "from the data (default: chosen from the data, see below)")
    p.add_argument("--activations", type=activation_names, default=["relu"],
                   metavar="NAME[,NAME...]",
                   help="activation of the hidden layers: one name for all, or one per hidden "
                   f"layer, from {', '.join(activations.REGISTRY)}; the output is sigmoid "
                   "(2 classes), softmax (more) or linear (regression) (default: relu)")
    if init_lesson:
        p.add_argument("--init", default="he", choices=ALL_INITS, nargs="?", const=ALL_INITS,
                       metavar="{random,xavier,he}",
                       help="weight initialization (default: he); alone, without a name, "
                       "also write init.png: a network of 10 tanh or ReLU layers from each of "
                       "the three, its activations and gradients layer by layer")
    else:
        p.add_argument("--init", default="he", choices=ALL_INITS,
                       help="weight initialization (default: he)")
    p.add_argument("--lr", type=number(0), default=0.0075,
                   help="learning rate (default: 0.0075)")
    p.add_argument("--epochs", type=int_at_least(1), metavar="N",
                   help="passes over the training set (default: chosen from the data, "
                   f"{default_epochs} for the notebook's example; see below)")
    p.add_argument("--batch-size", type=int_at_least(1), default=default_batch,
                   help=f"samples per step (default: {default_batch})")
    p.add_argument("--seed", type=int_at_least(0), default=0,
                   help="seed for the data, the initial weights and the shuffling (default: 0)")
    p.add_argument("--dtype", choices=["float32", "float64"], default="float32",
                   help="floating-point precision (default: float32)")
    p.add_argument("--no-scale", action="store_true",
                   help="feed the inputs as they are, not standardized")
    p.add_argument("--l2", type=number(0, low_inclusive=True), metavar="LAMBDA",
                   help="L2 regularization strength, lambda/(2m) * sum of squared weights "
                   "(default: 0 for the notebook's example, 0.3 for real-valued targets, "
                   "standardized, 0.03 for other data)")
    p.add_argument("--dropout", type=number(0, 1, low_inclusive=True), default=0.0,
                   metavar="RATE", help="dropout rate of the hidden layers (default: 0)")
    p.add_argument("--batch-norm", action="store_true",
                   help="batch-normalize the hidden layers")
    p.add_argument("--schedule", choices=list(schedules.REGISTRY),
                   help="learning-rate schedule over the epochs (default: none)")
    _add_precision(p, "scores")


def _add_model_and_data(p, data_help, what="the data"):
    """MODEL and DATA, and the options that say how to read DATA."""
    p.add_argument("model", metavar="MODEL", help="a saved model (.npz)")
    p.add_argument("data", metavar="DATA", help=data_help)
    _add_data_options(p, what)
    p.add_argument("--seed", type=int_at_least(0), default=0,
                   help="for a data set name: the seed of its split (default: 0)")


def _add_precision(p, what):
    p.add_argument("--precision", type=int_at_least(0), default=4, metavar="N",
                   help=f"decimals of the printed {what} (default: 4)")


def _command(commands, name, help, description, epilog=None):
    return commands.add_parser(name, help=help, description=description, epilog=epilog,
                               formatter_class=argparse.RawDescriptionHelpFormatter)


def build_parser():
    """The ``barenet`` parser and its commands."""
    parser = Parser(prog="barenet", description="Fully connected neural networks in plain NumPy.",
                    epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"barenet {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for add_command in (_add_compare, _add_train, _add_predict, _add_evaluate, _add_export,
                        _add_help):  # in the order the help lists them
        add_command(commands)
    return parser


# ----------------------------------------------------------------- commands

def _add_compare(commands):
    p = _command(commands, "compare", "train the same network with GD, Momentum, RMSProp and Adam",
                 "Train one network four times, with GD, Momentum, RMSProp and Adam at the same "
                 "learning rate, from the same initial weights. Prints a table and writes "
                 "compare.png (the cost curves, and the decision boundaries for 2-D data); "
                 "--animate, --paths and --init alone add the pictures below.",
                 TRAIN_DEFAULTS_HELP.format(epochs=3000) + "\n" + EPILOG)
    _add_network_options(p, "moons", 3000, 64, init_lesson=True)
    p.add_argument("--out", default="barenet-out", metavar="DIR",
                   help="directory for compare.png and the figures below (default: "
                   "barenet-out)")
    p.add_argument("--animate", action="store_true",
                   help="also write compare.gif: the four decision boundaries and losses "
                   "evolving side by side, epoch by epoch (2-feature classification data)")
    p.add_argument("--paths", action="store_true",
                   help="also write paths.png (the four rules walking on an ill-conditioned "
                   "quadratic and on Rosenbrock's function) and paths_network.png (the four "
                   "runs' parameters over this network's loss)")


def _add_train(commands):
    p = _command(commands, "train", "train one network, save it and plot its learning curves",
                 "Train one network and write DIR/model.npz and DIR/learning_curves.png; for "
                 "a classifier on 2-D data, DIR/decision_boundary.png; for real-valued targets, "
                 "DIR/fit.png (one feature: the points and the prediction curve; more: "
                 "predicted against true values, R^2 per target); and DIR/network.png, every "
                 "neuron's activation over the input plane for 2-D data, or its histogram over "
                 "the training set for data of at most 16 features whose widest layer has at "
                 "most 64 units. With no options: the notebook's example, "
                 "ReLU hidden layers of 5 and 2 units, a sigmoid output and He initialization, "
                 "on two moons. Ctrl-C stops at the end of the current epoch and saves the model "
                 "so far and DIR/checkpoint.npz, which --resume continues.",
                 TRAIN_DEFAULTS_HELP.format(epochs=1000) + TARGETS_HELP + "\n" + EPILOG)
    _add_network_options(p, "moons", 1000, 64)
    p.add_argument("--optimizer", default="adam", choices=list(optimizers.REGISTRY),
                   help="optimizer (default: adam)")
    p.add_argument("--out", default="barenet-out", metavar="DIR",
                   help="directory for the model and figures (default: barenet-out)")
    p.add_argument("--early-stopping", type=int_at_least(0), metavar="PATIENCE",
                   help="hold out 10%% of the training set and stop when its loss has not "
                   "improved for PATIENCE epochs, keeping the best weights (default: 20 "
                   "for real-valued targets, standardized; none for classes; 0: none)")
    p.add_argument("--resume", metavar="CHECKPOINT",
                   help="carry on the run saved in CHECKPOINT (written by an interrupted "
                   "train) up to its planned epochs; give the same --data, --label and "
                   "--seed; the network and training options come from the checkpoint")
    p.add_argument("--quiet", action="store_true",
                   help="no progress (a bar on a terminal, a line every few epochs otherwise)")
    p.add_argument("--animate", action="store_true",
                   help="also write training.gif: the decision boundary and the learning "
                   "curves, epoch by epoch (2-feature classification data)")


def _add_predict(commands):
    p = _command(commands, "predict", "predict with a saved model",
                 "Predict with a model saved by 'barenet train' (or Network.save). DATA is a CSV "
                 "file (a header row is skipped; with --label its label column is left out), an "
                 ".npz file holding X (or X_test), or a built-in data set name (its test split). "
                 "Writes CSV: a 'label' column (or 'prediction' for a regressor), and with "
                 "--proba one probability column per class.", EPILOG)
    _add_model_and_data(p, "CSV or .npz file of inputs, or a data set name", "inputs")
    p.add_argument("--proba", action="store_true", help="also write class probabilities")
    p.add_argument("--with-input", action="store_true",
                   help="for CSV data: write each input row (all its cells, the label too) "
                   "before its predictions")
    p.add_argument("--out", metavar="FILE", help="write the CSV here instead of to stdout")
    _add_precision(p, "probabilities")


def _add_evaluate(commands):
    p = _command(commands, "evaluate", "score a saved model on labelled data",
                 "Score a model saved by 'barenet train' on labelled data: DATA is a CSV file "
                 "(label in the last column, or see --label), an .npz file holding X and y (or "
                 "X_test and y_test), or a built-in data set name (its test split). Prints the "
                 "loss and accuracy, a per-class table and the confusion matrix, and writes "
                 "DIR/confusion_matrix.png; for a regressor the loss, R^2, RMSE and MAE.", EPILOG)
    _add_model_and_data(p, "CSV or .npz file, or a data set name")
    p.add_argument("--out", default="barenet-out", metavar="DIR",
                   help="directory for confusion_matrix.png (default: barenet-out)")
    _add_precision(p, "scores")


def _add_export(commands):
    p = _command(commands, "export", "export a saved model to ONNX",
                 "Write a model saved by 'barenet train' (or Network.save) as an ONNX file for "
                 "onnxruntime and other ONNX runtimes: input 'X' of shape (N, n_features) in the "
                 "model's dtype, raw features (the model's standardization is in the graph); "
                 "outputs 'label' and 'probabilities' for a classifier, 'variable' for a "
                 "regressor. Batch normalization is folded into the weights and dropout removed. "
                 "Needs the onnx package: pip install barenet[onnx].", EPILOG)
    p.add_argument("model", metavar="MODEL", help="a saved model (.npz)")
    p.add_argument("out", metavar="OUT", help="the ONNX file to write, e.g. model.onnx")
    p.add_argument("--opset", type=int_at_least(_onnx.MIN_OPSET), default=_onnx.OPSET,
                   metavar="N", help=f"ONNX operator set to target, {_onnx.MIN_OPSET} or newer "
                   f"(default: {_onnx.OPSET})")


def _add_help(commands):
    p = _command(commands, "help", "show this help, or a command's", "Show the help of "
                 "barenet, or of one command: barenet help train.")
    p.add_argument("topic", nargs="?", metavar="COMMAND", help="the command to explain")

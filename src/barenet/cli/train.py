"""``barenet train`` and ``barenet compare``: networks shaped and trained with
defaults chosen from the data."""

import copy
import csv
import math
import os
import shlex
import sys
import time

import numpy as np

from .. import optimizers
from ..errors import TrainingDiverged
from ..model.callbacks import EarlyStopping, ProgressBar
from ..model.network import Network
from ..io import load
from . import pictures
from .parser import ALL_INITS
from .targets import folded, scaled, standardizes_targets, target_scale
from .common import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    Console,
    HeldInterrupts,
    make_directory,
    UsageError,
    check_classes,
    counted,
    format_number,
    is_csv,
    label_column,
    load_data,
    writable_directory,
    writable_file,
)

# The notebook's example: two moons through ReLU hidden layers of 5 and 2 units.
NOTEBOOK_DATA, NOTEBOOK_HIDDEN = "moons", [5, 2]
COMPARED = ("gd", "momentum", "rmsprop", "adam")
STEPS = 20_000  # the number of steps the default epochs aim at...
MOST_EPOCHS = 300  # ...and the most epochs they give (data other than the notebook's)
L2 = 0.03  # the L2 strength for data other than the notebook's
# For real-valued targets, standardized (barenet.cli.targets): an L2 strength,
# and early stopping with this patience on 10% of the training set.
REGRESSION_L2, REGRESSION_PATIENCE = 0.3, 20


def default_hidden(n_features, n_outputs, n_samples):
    """The hidden layers chosen when ``--layers`` is not given (data other than
    the notebook's example): one layer whose width is the power of two at or
    above ``2 * max(n_features, n_outputs)``, between 16 and 128, and at most
    ``n_samples // 4`` (but at least 16)."""
    width = 2 ** math.ceil(math.log2(max(2 * max(n_features, n_outputs), 1)))
    width = min(max(width, 16), 128)
    return [max(16, min(width, n_samples // 4))]


def default_epochs(n_samples, batch_size, most=MOST_EPOCHS):
    """The epochs chosen when ``--epochs`` is not given, for data other than
    the notebook's example: about `STEPS` steps of ``batch_size``
    samples, between 10 and ``most`` epochs."""
    steps_per_epoch = math.ceil(n_samples / batch_size)
    return min(most, max(10, math.ceil(STEPS / steps_per_epoch)))


def _is_continuous(y, regression):
    return regression or (y.dtype.kind == "f" and not np.array_equal(y, np.round(y)))


def network_for(data, args, notebook_epochs, targets_standardized=False):
    """A Network shaped for ``data`` from the options, and the epochs to train
    it; returns ``(net, epochs, chosen)``, ``chosen`` naming what came from the
    data. ``targets_standardized``: real-valued targets will be (train, not
    compare), which takes a stronger default L2 term."""
    y = data.y_train
    classes = np.unique(y)
    continuous = _is_continuous(y, args.regression)
    if not continuous:
        check_classes(data, classes)
    if continuous:
        n_out = 1 if y.ndim == 1 else y.shape[1]
        output = "linear"
    elif len(classes) == 2:
        n_out, output = 1, "sigmoid"
    else:
        n_out, output = len(classes), "softmax"
    n_samples, n_features = data.X_train.shape
    chosen = []
    hidden = args.layers
    if hidden is None:
        if args.data == NOTEBOOK_DATA:
            hidden = NOTEBOOK_HIDDEN
        else:
            hidden = default_hidden(n_features, n_out, n_samples)
            chosen.append("layers")
    epochs = args.epochs
    if epochs is None:
        if args.data == NOTEBOOK_DATA:
            epochs = notebook_epochs
        else:
            epochs = default_epochs(n_samples, args.batch_size)
            chosen.append("epochs")
    l2 = args.l2
    if l2 is None:
        scaled_targets = continuous and targets_standardized and not args.no_scale
        l2 = 0.0 if args.data == NOTEBOOK_DATA else REGRESSION_L2 if scaled_targets else L2
        if l2:
            chosen.append("l2")
    names = args.activations
    if len(names) == 1:
        names = names * len(hidden)
    if len(names) != len(hidden):
        raise UsageError(
            f"--activations has {len(names)} names for {len(hidden)} hidden layers; "
            "give one name for all, or one per hidden layer"
        )
    sizes = [n_features] + list(hidden) + [n_out]
    net = Network(sizes, names + [output], init=args.init, seed=args.seed, dtype=args.dtype,
                  l2=l2, dropout=args.dropout, batch_norm=args.batch_norm,
                  standardize=not args.no_scale)
    return net, epochs, chosen


def describe(data, net, epochs, chosen, extra=""):
    """The first line a command prints: the data, the network and its training."""
    what = f" (chosen from the data: {', '.join(chosen)})" if chosen else ""
    scaled = "standardized inputs" if net.standardize else "raw inputs"
    n_test = len(data.X_test)  # "samples" agrees with the nearer count, the test one
    return (f"{data.name}: {len(data.X_train)} training and {counted(n_test, 'test sample')}, "
            f"{counted(data.X_train.shape[1], 'feature')}; layers {list(net.layer_sizes)}, "
            f"{epochs} epochs{', L2 ' + format(net.l2, 'g') if net.l2 else ''}{what}, "
            f"{scaled}{extra}")


def _scores_line(split, scores, digits):
    return f"{split:<9} " + "  ".join(f"{k} {format_number(v, digits)}" for k, v in scores.items())



def cmd_compare(args):
    from .. import plot

    console = Console()
    writable_directory(args.out, "--out")
    lesson = args.init == ALL_INITS  # --init alone: the initializations compared too
    if lesson:
        args.init = "he"
    data = load_data(args)
    results, rows, records = {}, [], {}
    for name in COMPARED:
        net, epochs, chosen = network_for(data, args, 3000)
        if args.animate and not records:  # before any training
            pictures.check_boundary_data(data, net.task == "regression", "--animate")
        optimizer = optimizers.REGISTRY[name](lr=args.lr)
        record = pictures.recorder(args.animate or args.paths)
        if not rows:  # what the first run alone would pay: loading the fast layer's loops
            network_for(data, args, 1)[0].fit(data.X_train, data.y_train, epochs=1,
                                              optimizer=optimizers.REGISTRY[name](lr=args.lr),
                                              batch_size=args.batch_size)
        start = time.perf_counter()
        history = net.fit(data.X_train, data.y_train, optimizer=optimizer, epochs=epochs,
                          batch_size=args.batch_size, schedule=args.schedule,
                          callbacks=[] if record is None else [record])
        seconds = time.perf_counter() - start
        records[type(optimizer).__name__] = record
        metric = net.metric_name
        train, test = (net.evaluate(X, y)[metric] for X, y in (
            (data.X_train, data.y_train), (data.X_test, data.y_test)))
        label = type(optimizer).__name__
        results[label] = (net, history)
        rows.append((label, history["loss"][-1], train, test, seconds))

    console.print(describe(data, net, epochs, chosen, f", lr {args.lr}, batch {args.batch_size}"))
    header = ("optimizer", "final cost", f"train {metric}", f"test {metric}", "seconds")
    console.print(f"{header[0]:<10} {header[1]:>11} {header[2]:>15} {header[3]:>14} "
                  f"{header[4]:>8}")
    p = args.precision
    for label, cost, train_score, test_score, seconds in rows:
        console.print(f"{label:<10} {cost:>11.{p}f} {train_score:>15.{p}f} "
                      f"{test_score:>14.{p}f} {seconds:>8.2f}")
    make_directory(args.out, "--out")
    # the decision boundaries only for a classifier (a regressor has none)
    regression = next(iter(results.values()))[0].task == "regression"
    points = (None, None) if regression else (data.X_train, data.y_train)
    fig = plot.optimizer_comparison(results, *points)
    fig.suptitle(f"{data.name}: the same network, four optimizers (lr {args.lr})")
    pictures.write_figure(console, fig, os.path.join(args.out, "compare.png"))
    nets = {label: net for label, (net, _) in results.items()}
    if args.animate:
        pictures.comparison(console, {label: (nets[label], records[label]) for label in nets},
                            data, args.out)
    if args.paths:
        pictures.paths(console, records, nets, data, args.out)
    if lesson:
        pictures.initializations(console, data, args.seed, args.out)


def _resume_command(arguments, checkpoint):
    """The command line that carries on the run of ``arguments`` (this
    command's, without ``barenet``) from ``checkpoint``."""
    argv, skip = [], False
    for arg in arguments:
        if skip:
            skip = False
        elif arg == "--resume":
            skip = True
        elif not arg.startswith("--resume="):
            argv.append(arg)
    return shlex.join(["barenet", *argv, "--resume", checkpoint])


def cmd_train(args):
    console = Console()
    paths = _output_paths(args.out)
    data = load_data(args)
    net, optimizer, epochs, chosen = _network_to_train(data, args)
    if args.animate:
        pictures.check_boundary_data(data, net.task == "regression", "--animate")
    target, patience = _targets_and_patience(data, args, net, chosen)
    console.print(describe(data, net, epochs, chosen, " and targets" if target else "")
                  + f"; {[a.name for a in net.activations]}, "
                  f"{type(optimizer).__name__} lr {optimizer.lr}")
    fitted = data if target is None else scaled(data, target)  # what the network trains on
    validation, validation_label, stopper = _validation(fitted, args, net, patience)
    record = pictures.recorder(args.animate)
    callbacks = [callback for callback in (stopper, record) if callback is not None]
    if not args.quiet:  # the scored split named as the lines below name it
        callbacks.append(ProgressBar.for_stream(validation_name=validation_label))
    make_directory(args.out, "--out")
    try:
        history, interrupted = _train(net, fitted, args, optimizer, epochs, callbacks, validation)
    except TrainingDiverged as error:
        _save(net, paths, False, target)  # the restored parameters are finite; no run to resume
        raise _diverged(error, net, paths["model.npz"]) from None
    last = None if stopper is None else stopper.replaced  # the best epoch put back: the run's end
    net, held_interrupt = _save(net, paths, interrupted, target, last)
    if interrupted:
        best = None if last is None else stopper.best_epoch
        print(_interrupted_message(net, epochs, args.argv, paths, best), file=sys.stderr)
    elif stopper is not None and stopper.stopped_epoch:
        console.print(f"stopped early at epoch {stopper.stopped_epoch}; kept the weights "
                      f"of epoch {stopper.best_epoch}")
    for split, (X, y) in (("training", (data.X_train, data.y_train)),
                          ("test", (data.X_test, data.y_test))):
        console.print(_scores_line(split, net.evaluate(X, y), args.precision))
    console.print(f"wrote {paths['model.npz']}")
    if interrupted or held_interrupt:
        return EXIT_INTERRUPTED
    targets = target_names(args.data, args.label, data) if net.task == "regression" else None
    pictures.figures(console, net, data, history, paths, validation_label, targets,
                     target is not None)
    if record is not None:
        pictures.training(console, record, net, data, args.out, validation_label)
    return EXIT_OK


def _targets_and_patience(data, args, net, chosen):
    """``(the TargetScale of real-valued targets that train standardizes, or
    None; early stopping's patience, or None)``, adding what the data chose
    to ``chosen``. Real-valued targets get early stopping by default when 10%
    of the training set is at least 2 samples (`REGRESSION_PATIENCE`)."""
    target = target_scale(data.y_train) if standardizes_targets(net) else None
    patience = args.early_stopping
    if args.resume is None:
        wanted = len(data.y_train) >= 20
    else:  # the run's own validation split
        wanted = net.run_.validation_split is not None
    if patience is None and target is not None and wanted:
        patience = REGRESSION_PATIENCE
        chosen.append("early stopping")
    return target, patience


def _output_paths(out):
    """The files train may write in ``out``, by name, checked writable before
    any work starts."""
    writable_directory(out, "--out")
    paths = {name: os.path.join(out, name) for name in
             ("model.npz", "checkpoint.npz", "learning_curves.png", "decision_boundary.png",
              "fit.png", "network.png", "training.gif")}
    if os.path.isdir(out):
        for path in paths.values():
            writable_file(path, "--out")
    return paths


def _network_to_train(data, args):
    """``(net, optimizer, epochs, chosen)``: the run saved in ``--resume``'s
    checkpoint, or a new network shaped for ``data`` (see `network_for`)."""
    if args.resume is not None:
        net = load(args.resume)
        if net.run_ is None:
            raise UsageError(f"--resume {args.resume} is a model, not a checkpoint")
        return net, net.optimizer_, net.run_.epochs, []
    net, epochs, chosen = network_for(data, args, 1000, targets_standardized=True)
    return net, optimizers.REGISTRY[args.optimizer](lr=args.lr), epochs, chosen


def _validation(data, args, net, patience):
    """What is scored after each epoch: ``(the keywords for fit or resume, the
    name the progress and figures give it, the EarlyStopping or None)``;
    ``patience``: early stopping's, or None or 0 for none."""
    if patience and args.resume is None:
        # the test split stays unseen: early stopping watches a slice of the training set
        stopper = EarlyStopping(patience=patience)
        return {"validation_split": 0.1}, "validation", stopper
    if args.resume is not None and net.run_.validation_split is not None:
        # the run's own split; the stopper's count starts afresh
        return {}, "validation", EarlyStopping(patience=patience) if patience else None
    return {"validation_data": (data.X_test, data.y_test)}, "test", None


def _train(net, data, args, optimizer, epochs, callbacks, validation):
    """Fit ``net`` (or carry on its checkpointed run); returns ``(history,
    interrupted)``, ``interrupted`` true when Ctrl-C stopped training after
    its first step (before it, the KeyboardInterrupt propagates)."""
    try:
        if args.resume is not None:
            history = net.resume(data.X_train, data.y_train, callbacks=callbacks,
                                 **validation)
        else:
            history = net.fit(data.X_train, data.y_train, optimizer=optimizer, epochs=epochs,
                              batch_size=args.batch_size, schedule=args.schedule,
                              callbacks=callbacks, **validation)
    except KeyboardInterrupt:
        if net.run_ is None:  # before the first step: nothing trained to save
            raise
        return net.history_, True
    return history, False


def _save(net, paths, interrupted, target=None, last=None):
    """Write the model -- with ``target``, a `TargetScale`, the network
    folded into the targets' units -- and a checkpoint of ``net`` too when
    training was ``interrupted``, with Ctrl-C held off meanwhile; returns
    ``(the model, whether a Ctrl-C came)``. ``last``: the parameters of the
    run's last completed epoch (a ``net.flat`` snapshot), when an
    EarlyStopping put its best epoch's in ``net``: the checkpoint holds them,
    beside the optimizer and random state of that epoch."""
    model = net if target is None else folded(net, target)
    run = net
    if interrupted and last is not None:
        run = copy.deepcopy(net)
        run.flat.restore(last)
    with HeldInterrupts() as held:
        if interrupted:
            run.save(paths["checkpoint.npz"], training_state=True)
        model.save(paths["model.npz"])
    return model, held.interrupted


def _diverged(error, net, model_path):
    """The TrainingDiverged of a run whose restored model was saved to
    ``model_path``: its message says so, and its advice fits the command
    line (the inputs are already standardized unless --no-scale)."""
    message = str(error).split(". Try ")[0]
    scale = "" if net.standardize else ", or drop --no-scale to standardize the inputs"
    kept = ("the parameters restored above" if error.restored_epoch is not None
            else "its parameters")
    error.args = (f"{message}. Try a smaller --lr (this run's was {net.optimizer_.lr:g}){scale}; "
                  f"saved the model with {kept} to {model_path}",)
    return error


def _interrupted_message(net, epochs, arguments, paths, best=None):
    """What an interrupted train says on stderr: what it saved (``best``: the
    epoch early stopping kept for the model, else the last completed one),
    and the command line that carries on."""
    done = net.run_.epoch
    kept = f" of epoch {best}, the best on the validation split," if best else ""
    return (f"\nbarenet train: interrupted after epoch {done} of {epochs}; saved the model"
            f"{kept} to {paths['model.npz']} and a checkpoint of epoch {done} to "
            f"{paths['checkpoint.npz']}\ncontinue with: "
            f"{_resume_command(arguments, paths['checkpoint.npz'])}")


def target_names(spec, label, data):
    """The target's name in fit.png: for a CSV file ``spec`` with a header row
    (``data.feature_names`` says it has one), the label column's header --
    ``label`` as ``--label`` gave it, by name or index, else the last column's;
    None otherwise (the picture then says 'target')."""
    if not is_csv(spec) or data.feature_names is None or data.y_train.ndim != 1:
        return None
    label = label_column(label)
    if isinstance(label, str):
        return [label]
    try:  # the header: the first row that is not blank, as the reader takes it
        with open(spec, newline="", encoding="utf-8-sig") as f:
            for row in csv.reader(f, skipinitialspace=True):
                if row and not (len(row) == 1 and not row[0].strip()):
                    return [row[-1 if label is None else label].strip()]
    except (OSError, UnicodeDecodeError, csv.Error, IndexError):
        pass
    return None

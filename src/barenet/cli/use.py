"""Using a saved model: ``barenet predict``, ``barenet evaluate`` and ``barenet export``."""

import csv
import io
import os
import sys

import numpy as np

from .. import metrics
from ..io import load
from ..io import onnx as _onnx
from ..io.files import read_npz, write_atomically
from .common import (
    Console,
    UsageError,
    check_data_options,
    check_features,
    counted,
    format_number,
    is_csv,
    load_data,
    make_directory,
    read_table,
    writable_directory,
    writable_file,
)


def _read_npz(spec, want_labels):
    if not os.path.exists(spec):
        raise FileNotFoundError(f"no data file at {spec}")
    arrays = read_npz(spec)
    for X_key, y_key in (("X", "y"), ("X_test", "y_test")):
        if X_key in arrays and (not want_labels or y_key in arrays):
            return arrays[X_key], arrays.get(y_key)
    raise ValueError(f"{spec} holds no arrays named " + (
        "X and y, or X_test and y_test" if want_labels else "X or X_test"))


def read_data(args, n_features, want_labels):
    """``(X, y, table)`` of DATA: a CSV file (``table`` its rows), an .npz file,
    or a data set's test split; ``y`` is None where there are no labels."""
    check_data_options(args)
    table = None
    if is_csv(args.data):
        label = args.label
        if want_labels and label is None:
            label = -1  # as training reads a CSV: the label in the last column
        table = read_table(args.data, label)
        X, y = table.X, table.y
    elif args.data.lower().endswith(".npz"):
        X, y = _read_npz(args.data, want_labels)
    else:
        data = load_data(args)
        X, y = data.X_test, data.y_test
    return check_features(X, n_features, args.data), y, table


def _prediction_columns(net, X, proba, digits):
    """Header and columns (lists of str) of the predictions for ``X``."""
    labels = net.predict(X)
    if net.task == "regression":
        values = labels.reshape(len(X), -1)
        header = (["prediction"] if values.shape[1] == 1 else
                  [f"prediction_{j}" for j in range(values.shape[1])])
        # N + 2 significant digits: the scale of a target is the data's own
        return header, [[f"{v:.{digits + 2}g}" for v in values[:, j].tolist()]
                        for j in range(values.shape[1])]
    header, columns = ["label"], [[str(v) for v in labels.tolist()]]
    if proba:
        P = net.predict_proba(X)
        header += [f"p_{c}" for c in net.classes_.tolist()]
        columns += [[format_number(p, digits) for p in P[:, j].tolist()]
                    for j in range(P.shape[1])]
    return header, columns


def cmd_predict(args):
    if args.out:
        writable_file(args.out, "--out")
    if args.with_input and not is_csv(args.data):
        raise UsageError(f"--with-input writes the rows of a CSV file; {args.data} is not one")
    net = load(args.model)
    if args.proba and net.task == "regression":
        raise UsageError(f"--proba gives class probabilities; {args.model} is a regressor, "
                         "whose predictions are numbers")
    X, _, table = read_data(args, net.layer_sizes[0], want_labels=False)
    header, columns = _prediction_columns(net, X, args.proba, args.precision)
    rows = zip(*columns)
    if args.with_input:
        header = (table.header or [f"column_{j}" for j in range(len(table.rows[0]))]) + header
        rows = (list(cells) + list(row) for cells, row in zip(table.rows, rows))
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    if args.out:
        write_atomically(args.out, lambda f: f.write(text.getvalue().encode("utf-8")))
        print(f"wrote {args.out}", file=sys.stderr)
    else:
        Console().write(text.getvalue())


def _table(rows, header):
    """Rows of cells as text columns, the first left-aligned."""
    widths = [max(len(str(row[j])) for row in [header] + rows) for j in range(len(header))]
    lines = []
    for row in [header] + rows:
        cells = [str(row[0]).ljust(widths[0])]
        cells += [str(cell).rjust(width) for cell, width in zip(row[1:], widths[1:])]
        lines.append("  ".join(cells).rstrip())
    return lines


def cmd_evaluate(args):
    from .. import plot

    console = Console()
    net = load(args.model)
    if net.task != "regression":
        writable_directory(args.out, "--out")
    X, y, _ = read_data(args, net.layer_sizes[0], want_labels=True)
    p = args.precision
    scores = net.evaluate(X, y)
    console.print(f"{args.data}: {counted(len(X), 'sample')}, model {args.model}")
    if net.task == "regression":
        prediction = net.predict(X).astype(np.float64)
        target = np.asarray(y, dtype=np.float64).reshape(prediction.shape)
        figures = {"loss": scores["loss"], "r2": metrics.r2_score(target, prediction),
                   "rmse": metrics.rmse(target, prediction), "mae": scores["mae"]}
        console.print("  ".join(f"{k} {format_number(v, p)}" for k, v in figures.items()))
        return
    console.print(f"loss {format_number(scores['loss'], p)}  "
                  f"accuracy {format_number(scores['accuracy'], p)}")
    labels = net.classes_
    predicted = net.predict(X)
    per_class = metrics.per_class_scores(y, predicted, labels)
    rows = [[str(c)] + [format_number(getattr(per_class, k)[i], p)
                              for k in ("precision", "recall", "f1")]
            + [int(per_class.support[i])] for i, c in enumerate(labels.tolist())]
    console.print("")
    for line in _table(rows, ["class", "precision", "recall", "f1", "support"]):
        console.print(line)
    matrix = metrics.confusion_matrix(y, predicted, labels)
    console.print("\nconfusion matrix (rows: true label, columns: predicted label)")
    names = [str(c) for c in labels.tolist()]
    for line in _table([[n] + row for n, row in zip(names, matrix.tolist())], [""] + names):
        console.print(line)
    path = os.path.join(make_directory(args.out, "--out"), "confusion_matrix.png")
    fig = plot.confusion_matrix(matrix, labels, title=f"{os.path.basename(args.model)} on "
                                f"{os.path.basename(args.data)}")
    fig.savefig(path, dpi=110)
    console.print(f"wrote {path}")


def cmd_export(args):
    writable_file(args.out, "OUT")
    _onnx.export(load(args.model), args.out, opset=args.opset)
    Console().print(f"wrote {args.out}")

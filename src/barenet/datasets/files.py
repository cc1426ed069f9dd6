"""Data sets from CSV files: [`load_csv`][barenet.datasets.files.load_csv] (split into a training
and a test part by a seeded, stratified shuffle) and [`read_csv`][barenet.datasets.files.read_csv]
(a whole table, unsplit, with its raw rows). A fault in a file is reported with the
file's name, line and column. NumPy ``.npz`` files are
[`barenet.datasets.npz`][barenet.datasets.npz]'s.
"""

import csv
import math
import numbers
from typing import NamedTuple

import numpy as np

from ._common import _check_file, _split, _split_arguments


# --------------------------------------------------------------------- CSV

def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def _read_rows(path, delimiter):
    """Non-blank rows of a CSV file as ``(line_number, cells)`` pairs.

    Cells keep their surrounding spaces (``float`` ignores them); they are
    stripped where they are used as names or labels.
    """
    rows = []
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f, delimiter=delimiter, skipinitialspace=True)
            try:
                for row in reader:
                    if row and not (len(row) == 1 and not row[0].strip()):
                        rows.append((reader.line_num, row))
            except csv.Error as err:
                raise ValueError(f"{path}, line {reader.line_num}: {err}") from None
    except UnicodeDecodeError as err:
        raise ValueError(f"{path} is not a UTF-8 text file: {err}") from None
    return rows


def _label_index(label_column, header_row, n_cols, path):
    """Index of the label column, from an index (negative ok) or a header name."""
    if isinstance(label_column, str):
        names = header_row
        if label_column not in names:
            raise ValueError(
                f"label_column {label_column!r} is not a column of {path}; "
                f"its header names {names}"
            )
        if names.count(label_column) > 1:
            raise ValueError(f"label_column {label_column!r} names several columns of {path}")
        return names.index(label_column)
    index = label_column + n_cols if label_column < 0 else label_column
    if not 0 <= index < n_cols:
        raise ValueError(
            f"label_column={label_column} is out of range: {path} has {n_cols} columns "
            f"(valid indices {-n_cols} .. {n_cols - 1})"
        )
    return index


def _looks_like_header(rows, label):
    """True if the first row is a header: one of its cells is not a number
    while the cell below it is. In a file of one row, a feature cell that is
    not a number makes it a header. A column of words (a text column left
    among the features) thus says nothing either way."""
    first = rows[0][1]
    if len(rows) == 1:
        return any(not _is_number(cell) for i, cell in enumerate(first) if i != label)
    second = rows[1][1]
    return any(not _is_number(cell) and _is_number(below)
               for cell, below in zip(first, second))


def _label_hint(rows, i, names):
    """The hint added when a cell of column ``i`` is not a number: the column
    may be the label. Given when the header names the column (then by name),
    or when no cell of it is a number (then by its 0-based index)."""
    if names:
        column = repr(names[i])
    elif not any(_is_number(row[i]) for _, row in rows):
        column = str(i)
    else:
        return ""
    return (f"; if this column is the label, name it with label_column={column} "
            "(--label on the command line)")


def _parse_features(rows, label, names, path):
    """Float64 matrix of every column but ``label`` (of every column when it
    is None); a cell that is empty or not a finite number is reported by line
    and column (1-based)."""
    columns = [i for i in range(len(rows[0][1])) if i != label]
    cells = [row if label is None else row[:label] + row[label + 1:] for _, row in rows]
    try:
        X = np.array(cells, dtype=np.float64).reshape(len(rows), len(columns))
        if np.isfinite(X).all():
            return X
    except ValueError:
        pass
    # Slow path: find the first bad cell.
    X = np.empty((len(rows), len(columns)))
    for r, (line, row) in enumerate(rows):
        for c, i in enumerate(columns):
            cell = row[i].strip()
            where = f"{path}, line {line}, column {i + 1}" + (f" ({names[i]!r})" if names else "")
            if not cell:
                raise ValueError(f"{where}: the cell is empty (missing value)")
            try:
                X[r, c] = float(cell)
            except ValueError:
                hint = _label_hint(rows, i, names)
                raise ValueError(f"{where}: {cell!r} is not a number{hint}") from None
            if not math.isfinite(X[r, c]):
                raise ValueError(f"{where}: {cell!r} is not a finite number")
    return X


def _parse_labels(rows, label, path):
    """Labels as int64 (all integral numbers), float64 (all numbers) or str."""
    raw = []
    for line, row in rows:
        cell = row[label].strip()
        if not cell:
            raise ValueError(f"{path}, line {line}, column {label + 1}: the label is empty")
        raw.append(cell)
    try:
        values = np.array([float(cell) for cell in raw])
    except ValueError:
        return np.array(raw)
    if not np.isfinite(values).all():
        return np.array(raw)
    # whole numbers become int64 labels, when int64 holds them exactly
    if (values == np.round(values)).all() and (np.abs(values) < 2.0**53).all():
        return values.astype(np.int64)
    return values


class Table(NamedTuple):
    """A whole CSV table, as [`read_csv`][barenet.datasets.files.read_csv] reads it (not split).

    Attributes
    ----------
    X : ndarray of shape (n_rows, n_features), float64
        Every column but the label column, in file order.
    y : ndarray of shape (n_rows,) or None
        The label column: int64 when every label is an integral number,
        float64 when every label is a number, else the label strings. None
        when no label column was named.
    feature_names : tuple of str or None
        The header's names of the columns of ``X`` (stripped of spaces); None
        when the file has no header.
    label_name : str or None
        The header's name of the label column; None without a header or a label.
    header : list of str or None
        The header row's cells as read; None when the file has no header.
    rows : list of list of str
        Each data row's cells as read (quotes removed, leading spaces
        skipped), label included, in file order: ``X[i]`` comes from ``rows[i]``.
    """

    X: np.ndarray
    y: np.ndarray | None
    feature_names: tuple | None
    label_name: str | None
    header: list | None
    rows: list


def _check_csv_arguments(label_column, header, delimiter, label_optional):
    """Check the arguments that [`read_csv`][barenet.datasets.files.read_csv] and
    [`load_csv`][barenet.datasets.files.load_csv] share; return ``header`` as ``'infer'``, True
    or False."""
    if label_column is None and label_optional:
        pass
    elif isinstance(label_column, bool) or not isinstance(label_column, (numbers.Integral, str)):
        what = "a column index, a name or None" if label_optional else "a column index or name"
        raise TypeError(f"label_column must be {what}, got {label_column!r}")
    if isinstance(header, (bool, np.bool_)):
        header = bool(header)
    elif not (isinstance(header, str) and header == "infer"):
        raise ValueError(f"header must be 'infer', True or False, got {header!r}")
    if not isinstance(delimiter, str):
        raise TypeError(f"delimiter must be a one-character string, got {delimiter!r}")
    if len(delimiter) != 1:
        raise ValueError(f"delimiter must be a one-character string, got {delimiter!r}")
    if isinstance(label_column, str) and header is False:
        raise ValueError(
            f"label_column {label_column!r} is a column name, but header=False; "
            "a name needs a header row (or give the column's index)"
        )
    return header


def _read_table(path, label_column, header, delimiter):
    """The [`Table`][barenet.datasets.files.Table] of the CSV file ``path``, arguments already
    checked."""
    rows = _read_rows(path, delimiter)
    if not rows:
        raise ValueError(f"{path} is empty: it has no rows")
    first_line, first = rows[0]
    n_cols = len(first)
    for line, row in rows[1:]:
        if len(row) != n_cols:
            raise ValueError(
                f"{path}, line {line}: {len(row)} columns, but line {first_line} has {n_cols}"
            )
    if label_column is not None and n_cols < 2:
        raise ValueError(
            f"{path} has {n_cols} column; it needs at least one feature column and a label column"
        )

    if isinstance(label_column, str):
        has_header = True
        label = _label_index(label_column, [cell.strip() for cell in first], n_cols, path)
    else:
        label = None if label_column is None else _label_index(int(label_column), None,
                                                               n_cols, path)
        has_header = _looks_like_header(rows, label) if header == "infer" else header
    names = [cell.strip() for cell in first] if has_header else None
    data = rows[1:] if has_header else rows
    if not data:
        raise ValueError(f"{path} has a header row but no data rows")

    columns = [i for i in range(n_cols) if i != label]
    X = _parse_features(data, label, names, path)
    y = None if label is None else _parse_labels(data, label, path)
    return Table(
        X, y,
        feature_names=tuple(names[i] for i in columns) if names else None,
        label_name=names[label] if names and label is not None else None,
        header=list(first) if has_header else None,
        rows=[row for _, row in data],
    )


def read_csv(path, label_column=None, delimiter=",", header="infer"):
    """Read a whole CSV table, without splitting it: for predicting on a file.

    Parameters
    ----------
    path : str or os.PathLike
        The file (UTF-8; blank lines are skipped).
    label_column : int, str or None, default None
        The label column: an index (negative counts from the end) or a name
        from the header row. None: the file has no label column, every column
        is a feature.
    delimiter : str, default ','
        One character.
    header : {'infer', True, False}, default 'infer'
        Whether the first row names the columns; ``'infer'`` decides as
        [`load_csv`][barenet.datasets.files.load_csv] does (a name given as ``label_column`` implies
        a header).

    Returns
    -------
    Table
        ``X`` float64 of shape ``(n_rows, n_features)`` (every column but the
        label), ``y`` parsed as [`load_csv`][barenet.datasets.files.load_csv] parses labels (or
        None), ``feature_names`` and ``label_name`` from the header, and the raw
        ``header`` and ``rows``, so that predictions can be written beside
        the original rows.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        As [`load_csv`][barenet.datasets.files.load_csv]: an empty file, ragged rows, a feature cell
        that is empty or not a finite number (with a hint to name the label column
        when the cell's column may be it), an empty label, or a label column
        out of range or unknown -- naming the file, and the line and column
        (1-based).
    """
    path = _check_file(path)
    header = _check_csv_arguments(label_column, header, delimiter, label_optional=True)
    return _read_table(path, label_column, header, delimiter)


def load_csv(path, label_column=-1, header="infer", delimiter=",", test_size=0.25, seed=0):
    """Load a CSV file of numeric features and one label column, and split it.

    The file is read by [`read_csv`][barenet.datasets.files.read_csv]'s rules.

    Parameters
    ----------
    path : str or os.PathLike
        The file (UTF-8; blank lines are skipped).
    label_column : int or str, default -1
        The label column: an index (negative counts from the end) or a name
        from the header row.
    header : {'infer', True, False}, default 'infer'
        Whether the first row names the columns. ``'infer'`` takes it for a
        header when one of its cells is not a number while the cell below it
        is (in a file of one row: when one of its feature cells is not a
        number); a ``label_column`` name implies a header.
    delimiter : str, default ','
        One character.
    test_size : float, default 0.25
        Fraction of the samples in the test part, in (0, 1).
    seed : int, numpy.random.Generator or None, default 0
        Seeds the stratified shuffle split.

    Returns
    -------
    Dataset
        X float64 of shape ``(n, n_columns - 1)``; y int64 when every label is
        an integral number, float64 when every label is a number, else the
        label strings as they are. The name is the file's stem;
        ``feature_names`` the header's names of the feature columns, or None
        without a header.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        For an empty file, ragged rows, a feature cell that is empty or not a
        finite number, an empty label, or a label column out of range or
        unknown -- naming the file, and the line and column (1-based).
    """
    path = _check_file(path)
    header = _check_csv_arguments(label_column, header, delimiter, label_optional=False)
    test_size, rng = _split_arguments(test_size, seed)
    table = _read_table(path, label_column, header, delimiter)
    return _split(table.X, table.y, test_size, rng, path.stem, what=str(path),
                  feature_names=table.feature_names)

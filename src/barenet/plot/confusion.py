"""The confusion matrix as a heat map."""

import numpy as np
from matplotlib.figure import Figure

from .._checks import check_bool, check_matrix


def confusion_matrix(matrix, labels, title=None, normalize=False):
    """A confusion matrix as a heat map, with the value written in each cell.

    Rows are true labels, columns predicted ones (as
    [`barenet.metrics.confusion_matrix`][barenet.metrics.confusion_matrix]), the class labels as
    ticks. Cell colours run from white (0) to dark blue (the largest count, or 1 when
    normalized); the text is
    white on dark cells, black on light ones. Figure and font sizes follow the
    number of classes, so 10 or more stay readable.

    Parameters
    ----------
    matrix : array-like of shape (n_classes, n_classes)
        Counts: ``matrix[i, j]`` samples of class ``labels[i]`` predicted as
        ``labels[j]``; finite and >= 0.
    labels : sequence of length n_classes
        The class labels, in the order of the rows and columns.
    title : str, optional
        The axes' title.
    normalize : bool, default False
        Show each row divided by its sum (the share of each true class given
        each prediction, written with 2 decimals; a row of zeros stays 0)
        instead of the counts.

    Raises
    ------
    ValueError
        If ``matrix`` is not square, holds negative values, or ``labels`` does
        not have one label per row.
    """
    matrix, labels = _check_counts(matrix, labels)
    normalize = check_bool("normalize", normalize)
    values, text, bar_label = _cells(matrix, normalize)

    side = max(4.0, 1.8 + 0.55 * len(labels))
    fig = Figure(figsize=(side + 1.0, side), layout="compressed")
    ax = fig.subplots()
    top = 1.0 if normalize else max(values.max(), 1.0)
    image = ax.imshow(values, cmap="Blues", vmin=0, vmax=top)
    fig.colorbar(image, ax=ax, label=bar_label, shrink=0.8)
    _write_cells(ax, image, values, text)
    _label_axes(ax, labels, title)
    return fig


def _check_counts(matrix, labels):
    """``matrix`` as a square float64 array of counts >= 0, and ``labels``,
    one per row, as strings."""
    matrix = check_matrix("matrix", matrix, dtype=np.float64)
    k = matrix.shape[0]
    if matrix.shape != (k, k):
        raise ValueError(f"matrix must be square (n_classes, n_classes), got shape {matrix.shape}")
    if (matrix < 0).any():
        raise ValueError("matrix must hold counts >= 0, it has negative values")
    labels = np.asarray(labels)
    if labels.shape != (k,):
        raise ValueError(f"labels must hold one label per row of matrix ({k}), got shape "
                         f"{labels.shape}")
    return matrix, [str(label) for label in labels.tolist()]


def _cells(matrix, normalize):
    """What the cells show: ``(values, the text of each cell, the colour bar's
    label)``, the counts or, when ``normalize``, each row's shares."""
    if normalize:
        sums = matrix.sum(axis=1, keepdims=True)
        values = np.divide(matrix, sums, out=np.zeros_like(matrix), where=sums > 0)
        text = [[f"{v:.2f}" for v in row] for row in values]
        return values, text, "share of the true class"
    whole = np.all(matrix == np.round(matrix))
    text = [[f"{v:.0f}" if whole else f"{v:.3g}" for v in row] for row in matrix]
    return matrix, text, "samples"


def _write_cells(ax, image, values, text):
    """Each cell's text, white on dark cells and black on light ones, its size
    following the number of classes."""
    k = len(values)
    fontsize = 10 if k <= 6 else 8 if k <= 12 else 6
    for i in range(k):
        for j in range(k):
            r, g, b, _ = image.cmap(image.norm(values[i, j]))
            dark = 0.299 * r + 0.587 * g + 0.114 * b < 0.5
            ax.text(j, i, text[i][j], ha="center", va="center", fontsize=fontsize,
                    color="white" if dark else "black")


def _label_axes(ax, labels, title):
    """The class labels as ticks (the predicted ones slanted when any is
    longer than 3 characters), the axis names and the title."""
    k = len(labels)
    long = max(len(label) for label in labels) > 3
    ax.set_xticks(range(k), labels=labels, rotation=45 if long else 0,
                  ha="right" if long else "center", rotation_mode="anchor")
    ax.set_yticks(range(k), labels=labels)
    ax.set_xlabel("predicted label")
    ax.set_ylabel("true label")
    if title:
        ax.set_title(title)

r"""Standardization of the inputs: the scaling that travels with a model.

[`Standardizer`][barenet.preprocessing.Standardizer] maps each input column ``j`` to zero mean and
unit variance,

$$
z_{ij} = \frac{x_{ij} - \mu_j}{s_j}
$$

with $\mu_j$ the column's mean and $s_j$ its population standard
deviation (divided by ``n``, not ``n - 1``), as scikit-learn's
``StandardScaler`` computes them. A column that is constant -- or so nearly
constant that its spread is rounding error -- gets $s_j = 1$, so it maps
to (about) 0, never to nan or infinity.

``Network(..., standardize=True)`` fits one on the samples of its first
``fit`` (the training part only: a ``validation_split`` hold-out is left out)
and keeps it as ``scaler_``; from then on every method that takes ``X`` applies
it, saved models store it ([`barenet.persistence`][barenet.io.persistence]) and the ONNX export
starts with it ([`barenet.onnx`][barenet.io.onnx]), so all of them take raw features.

Dtypes
------
``fit`` computes in float64 and keeps float64 ``mean_`` and ``scale_``;
[`Standardizer.astype`][barenet.preprocessing.Standardizer.astype] casts them. ``transform``
computes in the dtype of ``mean_``: ``X`` is cast to it, then ``(X - mean_) / scale_``, a
subtraction and a division per value, each rounded once in that dtype. A
Network keeps its ``scaler_`` in its own dtype, so its inputs are
standardized in that dtype, and an ONNX runtime's ``Sub`` then ``Div`` in the
same dtype gives the same numbers bit for bit.
"""

import numpy as np

from ._checks import check_float_dtype, check_matrix
from .errors import NotFittedError

__all__ = ["Standardizer"]


def _mean_var(X):
    """Each column's mean and population variance, in float64, by the
    corrected two-pass algorithm (as scikit-learn computes them): with
    ``d = x - mean``, ``var = (sum d^2 - (sum d)^2 / n) / n``; the
    correction ``(sum d)^2 / n`` takes out the rounding error of the mean."""
    n = X.shape[0]
    mean = X.mean(axis=0)
    centered = X - mean
    correction = centered.sum(axis=0)
    var = (np.einsum("ij,ij->j", centered, centered) - correction ** 2 / n) / n
    return mean, var


class Standardizer:
    """Per-column standardization ``(X - mean_) / scale_``.

    Attributes
    ----------
    mean_ : ndarray of shape (n_features,) or None
        Each column's mean; None before [`fit`][barenet.preprocessing.Standardizer.fit].
    scale_ : ndarray of shape (n_features,) or None
        Each column's population standard deviation, 1 for a constant
        column; every value finite and > 0. None before
        [`fit`][barenet.preprocessing.Standardizer.fit].

    Examples
    --------
    >>> import numpy as np
    >>> from barenet import Standardizer
    >>> X = np.array([[1.0, 5.0], [3.0, 5.0]])
    >>> scaler = Standardizer().fit(X)
    >>> scaler.mean_, scaler.scale_
    (array([2., 5.]), array([1., 1.]))
    >>> scaler.transform(X)
    array([[-1.,  0.],
           [ 1.,  0.]])
    """

    def __init__(self):
        self.mean_ = None
        self.scale_ = None

    def __repr__(self):
        if self.mean_ is None:
            return "Standardizer()"
        return f"Standardizer(n_features={self.mean_.size}, dtype='{self.mean_.dtype.name}')"

    @property
    def n_features_in_(self):
        """Number of columns it was fitted on (None before
        [`fit`][barenet.preprocessing.Standardizer.fit])."""
        return None if self.mean_ is None else self.mean_.size

    def fit(self, X):
        """Compute ``mean_`` and ``scale_`` from the columns of ``X`` in float64.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Finite numbers.

        Returns
        -------
        self

        Notes
        -----
        A column is constant, and gets ``scale_ = 1``, when its variance is
        no more than the rounding error of computing it,
        ``var <= n eps var + (n mean eps)^2`` with ``eps`` float64's machine
        epsilon (scikit-learn's test), or when its standard deviation is
        below the smallest normal number of ``X``'s dtype (float64 for
        integers), which a cast back to that dtype would not keep. A column
        holding a single value gets that value as its mean, so it maps to 0
        exactly. Otherwise the numbers are scikit-learn's: the mean of each
        column, and the variance by the corrected two-pass algorithm.
        """
        source = np.asarray(X).dtype if hasattr(X, "dtype") else np.dtype(np.float64)
        X = check_matrix("X", X, dtype=np.float64)
        tiny = np.finfo(source if source.kind == "f" else np.float64).tiny
        n = X.shape[0]
        with np.errstate(over="ignore", invalid="ignore"):
            mean, var = _mean_var(X)
            unit = np.ones_like(mean)
            if not (np.isfinite(mean).all() and np.isfinite(var).all()):
                # values beyond about 1e154 overflow the squares: compute on X
                # divided by a power of two (exact), in units of it
                unit = np.ldexp(1.0, np.frexp(np.maximum(np.abs(X).max(axis=0), 1.0))[1] - 1)
                mean, var = _mean_var(X / unit)
        eps = np.finfo(np.float64).eps
        with np.errstate(over="ignore", invalid="ignore"):
            scale = np.sqrt(var) * unit
            mean = mean * unit
        if not (np.isfinite(mean).all() and np.isfinite(scale).all()):
            columns = np.flatnonzero(~(np.isfinite(mean) & np.isfinite(scale)))
            raise ValueError(
                f"X has columns {columns[:5].tolist()} whose mean or standard deviation "
                "exceeds the float64 range; they cannot be standardized"
            )
        # the test is the same in any unit: both sides scale with unit ** 2
        with np.errstate(over="ignore"):  # an infinite bound: constant
            constant = (var <= n * eps * var + (n * (mean / unit) * eps) ** 2) | (scale < tiny)
        scale[constant] = 1.0
        # a column that holds one value: that value as its mean, so that it
        # maps to 0 exactly (a mean computed as a sum over n may be an ulp off)
        for j in np.flatnonzero(constant):
            if (X[:, j] == X[0, j]).all():
                mean[j] = X[0, j]
        self.mean_, self.scale_ = mean, scale
        return self

    def transform(self, X):
        """``(X - mean_) / scale_``, computed in the dtype of ``mean_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Finite numbers, cast to the dtype of ``mean_``.

        Returns
        -------
        ndarray of shape (n_samples, n_features)
            A new array in the dtype of ``mean_``.
        """
        self._require_fitted()
        X = check_matrix("X", X, dtype=self.mean_.dtype)
        if X.shape[1] != self.mean_.size:
            raise ValueError(
                f"X has {X.shape[1]} features but the Standardizer was fitted on "
                f"{self.mean_.size}"
            )
        return self.apply(X)

    def apply(self, X):
        """``(X - mean_) / scale_`` for an ``X`` already checked, with the
        right number of columns, in the dtype of ``mean_`` (as
        [`transform`][barenet.preprocessing.Standardizer.transform] makes it): one new array,
        divided in place."""
        Z = X - self.mean_
        Z /= self.scale_
        return Z

    @classmethod
    def from_arrays(cls, mean, scale):
        """A fitted Standardizer with the given ``mean_`` and ``scale_`` (e.g.
        read from a file).

        Parameters
        ----------
        mean, scale : array-like of shape (n_features,)
            Finite, ``scale > 0``. Two float32 or two float64 arrays keep
            their dtype; anything else is cast to float64.

        Returns
        -------
        Standardizer
        """
        arrays = []
        for name, values in (("mean", mean), ("scale", scale)):
            values = np.asarray(values)
            if values.dtype.kind not in "biuf":
                raise TypeError(f"{name} must hold real numbers, got dtype {values.dtype}")
            if values.ndim != 1 or values.size == 0:
                raise ValueError(
                    f"{name} must be a non-empty 1-D array (one value per feature), got "
                    f"shape {values.shape}"
                )
            arrays.append(values)
        mean, scale = arrays
        if mean.shape != scale.shape:
            raise ValueError(
                f"mean has shape {mean.shape} but scale has shape {scale.shape}; give one "
                "value per feature in each"
            )
        dtype = mean.dtype if (mean.dtype == scale.dtype
                               and mean.dtype in (np.float32, np.float64)) else np.float64
        mean, scale = mean.astype(dtype), scale.astype(dtype)
        if not np.isfinite(mean).all():
            raise ValueError("mean contains NaN or infinity")
        if not (np.isfinite(scale).all() and (scale > 0).all()):
            raise ValueError("scale must be finite and > 0")
        self = cls()
        self.mean_, self.scale_ = mean, scale
        return self

    def astype(self, dtype):
        """A new Standardizer whose ``mean_`` and ``scale_`` are cast to
        ``dtype`` ('float32' or 'float64'), so that
        [`transform`][barenet.preprocessing.Standardizer.transform] computes in it; the cast
        values must stay finite, and the scales > 0."""
        dtype = check_float_dtype("dtype", dtype)
        self._require_fitted()
        with np.errstate(over="ignore"):
            return Standardizer.from_arrays(self.mean_.astype(dtype), self.scale_.astype(dtype))

    def _require_fitted(self):
        if self.mean_ is None:
            raise NotFittedError(
                "this Standardizer has not been fitted yet; call fit, or build it with "
                "Standardizer.from_arrays"
            )

"""What the tests over several array libraries share: NumPy copies of their
arrays, comparisons to NumPy's results, and scikit-learn's array API
dispatch."""

import numpy as np
import pytest


def as_numpy(x):
    """A NumPy copy of an array of any library on the CPU (or ``x`` as NumPy
    takes it)."""
    return np.from_dlpack(x) if hasattr(x, "__dlpack__") else np.asarray(x)


def assert_close(result, expected, rtol=1e-12, like=None):
    """``result`` (an array of ``like``'s library, on its device, when
    ``like`` is given) equals ``expected`` to ``rtol``, relative to each value
    and to the largest one (for values that cancel)."""
    if like is not None:
        assert type(result) is type(like), f"{type(result)} from {type(like)}"
        assert getattr(result, "device", None) == getattr(like, "device", None)
    expected = np.asarray(expected)
    scale = float(np.abs(expected).max()) if expected.size else 0.0
    np.testing.assert_allclose(as_numpy(result), expected, rtol=rtol, atol=rtol * scale)


@pytest.fixture
def scipy_array_api(monkeypatch):
    """scikit-learn refuses ``array_api_dispatch`` unless SciPy's Array API
    mode is declared (the estimators call none of SciPy's functions on other
    libraries' arrays but lbfgs's search, on a NumPy copy)."""
    monkeypatch.setenv("SCIPY_ARRAY_API", "1")


def dispatch():
    """scikit-learn's ``array_api_dispatch=True``, for a ``with`` block."""
    import sklearn

    return sklearn.config_context(array_api_dispatch=True)

"""Generated data sets: small seeded problems, no download.

[`make_moons`][barenet.datasets.generated.make_moons],
[`make_circles`][barenet.datasets.generated.make_circles],
[`make_flower`][barenet.datasets.generated.make_flower] (the course's "planar flower"),
[`make_spirals`][barenet.datasets.generated.make_spirals] and
[`make_blobs`][barenet.datasets.generated.make_blobs] -- X float64, y int64 labels ``0 .. k-1``,
classes as balanced as ``n_samples`` allows, split with a seeded, stratified shuffle.
"""

import numpy as np

from .._checks import check_int, check_nonnegative, check_real
from ._common import _check_n_samples, _split, _split_arguments


# ------------------------------------------------------ the shared steps

def _class_counts(n_samples, n_classes):
    """``n_samples`` shared over ``n_classes`` as evenly as possible."""
    counts = np.full(n_classes, n_samples // n_classes)
    counts[: n_samples % n_classes] += 1
    return counts


def _labels(counts):
    return np.repeat(np.arange(len(counts), dtype=np.int64), counts)


def _generate(name, n_samples, n_classes, test_size, seed, draw, *params):
    """What every generator does once it has checked its own parameters:
    check ``test_size`` and ``seed``, share ``n_samples`` over ``n_classes``
    (`_class_counts`), draw the samples, class after class, with
    ``draw(counts, rng, *params)``, label them ``0 .. n_classes-1`` and split
    them into a Dataset named ``name``. ``rng`` draws the samples first, then
    the split."""
    test_size, rng = _split_arguments(test_size, seed)
    counts = _class_counts(n_samples, n_classes)
    X = draw(counts, rng, *params)
    return _split(X, _labels(counts), test_size, rng, name)


def _add_noise(X, scale, rng):
    """``X`` plus Gaussian noise of standard deviation ``scale`` on every coordinate (in place)."""
    X += scale * rng.standard_normal(X.shape)
    return X


def _polar(r, t):
    """Points of radius ``r`` at angle ``t``, as ``(r sin t, r cos t)``."""
    return np.c_[r * np.sin(t), r * np.cos(t)]


# -------------------------------------------------- each set's geometry

def _draw_moons(counts, rng, noise):
    t0, t1 = (np.linspace(0, np.pi, m) for m in counts)
    X = np.vstack([np.c_[np.cos(t0), np.sin(t0)], np.c_[1 - np.cos(t1), 0.5 - np.sin(t1)]])
    return _add_noise(X, noise, rng)


def _draw_circles(counts, rng, noise, factor):
    t0, t1 = (np.linspace(0, 2 * np.pi, m, endpoint=False) for m in counts)
    X = np.vstack([np.c_[np.cos(t0), np.sin(t0)], factor * np.c_[np.cos(t1), np.sin(t1)]])
    return _add_noise(X, noise, rng)


def _draw_flower(counts, rng, noise, petals):
    a = 4.0
    parts = []
    for j, m in enumerate(counts):
        t = np.linspace(j * 3.12, (j + 1) * 3.12, m) + noise * rng.standard_normal(m)
        r = a * np.sin(petals * t) + noise * rng.standard_normal(m)
        parts.append(_polar(r, t))
    return np.vstack(parts)


def _draw_spirals(counts, rng, noise):
    parts = []
    for j, m in enumerate(counts):
        r = np.linspace(0.0, 1.0, m)
        t = 2 * np.pi * j / len(counts) + 4 * r + noise * rng.standard_normal(m)
        parts.append(_polar(r, t))
    return np.vstack(parts)


def _draw_blobs(counts, rng, n_features, spread):
    centers = rng.uniform(-10.0, 10.0, size=(len(counts), n_features))
    return _add_noise(np.repeat(centers, counts, axis=0), spread, rng)


# ------------------------------------------------------------ the sets

def make_moons(n_samples=400, noise=0.2, test_size=0.25, seed=0):
    """Two interleaving half circles, 2 classes.

    Class 0 lies on the upper half of the unit circle, class 1 on a lower half
    circle shifted to ``(1, 0.5)``; Gaussian noise of standard deviation
    ``noise`` is added to every coordinate.

    Parameters
    ----------
    n_samples : int, default 400
        Total number of samples (>= 4), split evenly over the classes.
    noise : float, default 0.2
        Standard deviation of the Gaussian noise, >= 0.
    test_size : float, default 0.25
        Fraction of the samples in the test part, in (0, 1).
    seed : int, numpy.random.Generator or None, default 0
        Seeds the noise and the split.

    Returns
    -------
    Dataset
        X float64 of shape ``(n, 2)``, y int64 in {0, 1}, name ``'moons'``.
    """
    n_samples = _check_n_samples(n_samples, 2)
    noise = check_nonnegative("noise", noise)
    return _generate("moons", n_samples, 2, test_size, seed, _draw_moons, noise)


def make_circles(n_samples=400, noise=0.1, factor=0.5, test_size=0.25, seed=0):
    """Two concentric circles, 2 classes.

    Class 0 on the unit circle, class 1 on the circle of radius ``factor``,
    evenly spaced in angle, plus Gaussian noise of standard deviation ``noise``.

    Parameters
    ----------
    n_samples : int, default 400
        Total number of samples (>= 4), split evenly over the classes.
    noise : float, default 0.1
        Standard deviation of the Gaussian noise, >= 0.
    factor : float, default 0.5
        Radius of the inner circle relative to the outer one, in (0, 1).
    test_size : float, default 0.25
        Fraction of the samples in the test part, in (0, 1).
    seed : int, numpy.random.Generator or None, default 0
        Seeds the noise and the split.

    Returns
    -------
    Dataset
        X float64 of shape ``(n, 2)``, y int64 in {0, 1}, name ``'circles'``.
    """
    n_samples = _check_n_samples(n_samples, 2)
    noise = check_nonnegative("noise", noise)
    factor = check_real("factor", factor)
    if not 0 < factor < 1:
        raise ValueError(f"factor must be in (0, 1), got {factor!r}")
    return _generate("circles", n_samples, 2, test_size, seed, _draw_circles, noise, factor)


def make_flower(n_samples=400, noise=0.2, petals=4, test_size=0.25, seed=0):
    """The deep-learning course's "planar flower" data set, 2 classes.

    For class ``j`` (0 or 1) with ``N`` samples, as in the course:

        t = linspace(j * 3.12, (j + 1) * 3.12, N) + noise * randn(N)
        r = a * sin(petals * t) + noise * randn(N)        # a = 4
        x = (r * sin(t), r * cos(t))

    Class 1 is (nearly: 3.12 is not quite pi) class 0 turned by half a turn,
    so the flower has ``2 * petals`` petals, alternating between the classes.

    Parameters
    ----------
    n_samples : int, default 400
        Total number of samples (>= 4), split evenly over the classes.
    noise : float, default 0.2
        Standard deviation of the Gaussian noise on the angle and the radius, >= 0.
    petals : int, default 4
        Petals per class: the ``k`` of ``r = a sin(k t)``. Must be even (>= 2):
        for an odd ``k`` both classes would trace (nearly) the same petals.
    test_size : float, default 0.25
        Fraction of the samples in the test part, in (0, 1).
    seed : int, numpy.random.Generator or None, default 0
        Seeds the noise and the split.

    Returns
    -------
    Dataset
        X float64 of shape ``(n, 2)``, y int64 in {0, 1}, name ``'flower'``.
    """
    n_samples = _check_n_samples(n_samples, 2)
    noise = check_nonnegative("noise", noise)
    petals = check_int("petals", petals, minimum=2)
    if petals % 2:
        raise ValueError(
            f"petals must be even, got {petals}: with an odd number both classes "
            "trace the same petals"
        )
    return _generate("flower", n_samples, 2, test_size, seed, _draw_flower, noise, petals)


def make_spirals(n_samples=400, n_classes=3, noise=0.2, test_size=0.25, seed=0):
    """``n_classes`` interleaved spiral arms, one class each.

    Arm ``j`` with ``N`` samples runs from the centre outwards (as in the
    CS231n spiral data):

        r = linspace(0, 1, N)
        t = 2 pi j / n_classes + 4 r + noise * randn(N)
        x = (r * sin(t), r * cos(t))

    Parameters
    ----------
    n_samples : int, default 400
        Total number of samples (>= 2 * n_classes), split evenly over the classes.
    n_classes : int, default 3
        Number of arms, >= 2.
    noise : float, default 0.2
        Standard deviation of the Gaussian noise on the angle (radians), >= 0.
    test_size : float, default 0.25
        Fraction of the samples in the test part, in (0, 1).
    seed : int, numpy.random.Generator or None, default 0
        Seeds the noise and the split.

    Returns
    -------
    Dataset
        X float64 of shape ``(n, 2)``, y int64 in ``0 .. n_classes-1``, name ``'spirals'``.
    """
    n_classes = check_int("n_classes", n_classes, minimum=2)
    n_samples = _check_n_samples(n_samples, n_classes)
    noise = check_nonnegative("noise", noise)
    return _generate("spirals", n_samples, n_classes, test_size, seed, _draw_spirals, noise)


def make_blobs(n_samples=400, n_classes=3, n_features=2, spread=1.0, test_size=0.25, seed=0):
    """Gaussian blobs, one class each, around seeded random centres.

    The centres are drawn uniformly from ``[-10, 10)`` in every feature; each
    sample is its class centre plus Gaussian noise of standard deviation ``spread``.

    Parameters
    ----------
    n_samples : int, default 400
        Total number of samples (>= 2 * n_classes), split evenly over the classes.
    n_classes : int, default 3
        Number of blobs, >= 2.
    n_features : int, default 2
        Dimension of the samples, >= 1.
    spread : float, default 1.0
        Standard deviation of each blob, >= 0.
    test_size : float, default 0.25
        Fraction of the samples in the test part, in (0, 1).
    seed : int, numpy.random.Generator or None, default 0
        Seeds the centres, the noise and the split.

    Returns
    -------
    Dataset
        X float64 of shape ``(n, n_features)``, y int64 in ``0 .. n_classes-1``,
        name ``'blobs'``.
    """
    n_classes = check_int("n_classes", n_classes, minimum=2)
    n_samples = _check_n_samples(n_samples, n_classes)
    n_features = check_int("n_features", n_features, minimum=1)
    spread = check_nonnegative("spread", spread)
    return _generate("blobs", n_samples, n_classes, test_size, seed, _draw_blobs,
                     n_features, spread)

r"""Training by L-BFGS: the whole training set's objective minimized by
SciPy's L-BFGS-B, the ``solver='lbfgs'`` of scikit-learn's MLP.

A stochastic optimizer steps the parameters batch by batch; L-BFGS instead
treats training as one smooth function of every parameter at once,

$$
J(\theta) = \frac{1}{m} \sum_{i=1}^{m} w_i \, \ell(\hat y_i(\theta), y_i)
          + \frac{\lambda}{2 m} \sum_l \lVert W_l \rVert_F^2
$$

over all ``m`` samples (``w_i`` the sample weights, 1 without them;
``lambda`` the network's ``l2``), and hands ``J`` and its gradient to
``scipy.optimize.minimize(method="L-BFGS-B", jac=True)``, which searches along
directions built from the last few gradients. ``J`` is exactly what
[`Network.fit`][barenet.Network.fit] minimizes, computed by the same passes
(``net.engine.step_value_and_grad`` on the full batch), so a network trained
here predicts, saves and trains on like any other.

Three things set this apart from a run of ``fit``:

- dropout draws a new mask at every evaluation, which makes ``J`` random, and
  a line search on a random function goes astray: a network with dropout is
  refused;
- batch normalization uses the full batch's statistics in ``J``; when the
  search ends, the running statistics are set to those statistics at the
  final parameters (the variance unbiased, as a training step folds it), so
  that inference on the training set gives what training saw;
- a nan or infinite objective or gradient stops the search with
  [`TrainingDiverged`][barenet.errors.TrainingDiverged], as ``fit`` does:
  L-BFGS-B has no reliable answer to one (it may back off, stop at once
  reporting convergence at a point that is no minimum, or search ever
  further), so the value never reaches it.
"""

import math

import numpy as np
import scipy.optimize

from ..core.namespace import NUMPY, like, namespace, to_numpy
from ..core.normalization import update_running_stats
from ..errors import TrainingDiverged
from .._checks import check_bool, check_int, check_nonnegative

_ADVICE = (". Scale the inputs (e.g. to zero mean and unit variance), or use a larger "
           "alpha (L2 penalty)")


def minimize(net, X, Y, weights=None, max_iter=200, max_fun=15000, tol=1e-4, verbose=False):
    """Train the [`Network`][barenet.Network] ``net`` in place by L-BFGS-B over its
    flat parameter vector, on the full batch ``(X, Y)``.

    Parameters
    ----------
    net : Network
        Trained in place; it ends at the result's ``x``. It must have no
        dropout (see the module's docstring). A network on another array
        library (after [`Network.to`][barenet.Network.to]) trains there: each
        evaluation copies the vector to its device and the gradient back.
    X : array of shape (n_samples, n_features)
        The inputs as the passes take them (``net.prepare(X)``): the
        network's dtype, library and device.
    Y : array of shape (n_samples, n_outputs)
        The encoded targets (``net.encode(y, n_samples)[0]``).
    weights : array of shape (n_samples,), optional
        Per-sample weights, in the same form; None weighs every sample 1.
    max_iter : int, default 200
        The most iterations of L-BFGS-B (``maxiter``).
    max_fun : int, default 15000
        The most evaluations of the objective (``maxfun``); checked between
        iterations, so an iteration's line search may go a few past it.
    tol : float, default 1e-4
        The search stops once every component of the gradient is at most
        ``tol`` in absolute value (``gtol``).
    verbose : bool, default False
        Print the objective after every iteration, on stdout.

    Returns
    -------
    scipy.optimize.OptimizeResult
        ``x`` (the final parameters, float64), ``fun`` (the objective there),
        ``jac``, ``nit`` (iterations, at most ``max_iter``), ``nfev``,
        ``status`` (0: converged, 1: a limit reached, 2: the line search
        failed) and ``message``, as SciPy gives them.

    Raises
    ------
    TrainingDiverged
        When the objective or its gradient is nan or infinite at a point the
        search tries. The network then holds the parameters the iteration in
        progress started from: ``epoch`` and ``restored_epoch`` are that
        iteration (from 1), ``step`` the evaluation (from 1), ``what`` is
        ``'loss'`` or ``'gradient'``.

    Notes
    -----
    SciPy works in float64; the objective has the network's precision. A
    float32 network takes each point rounded to float32, and its objective
    and gradient, computed in float32, come back as float64 numbers: about
    seven significant digits. Near the minimum that rounding hides further
    decrease, and the search may stop with ``status`` 2 (the line search
    found no lower value) rather than 0: the parameters are then as good as
    float32 holds them.

    On any exception, Ctrl-C included, the network holds the parameters of
    the start of the iteration in progress.
    """
    max_iter = check_int("max_iter", max_iter, 1)
    max_fun = check_int("max_fun", max_fun, 1)
    tol = check_nonnegative("tol", tol)
    verbose = check_bool("verbose", verbose)
    _check_network(net)
    flat, engine = net.flat, net.engine
    X_T, Y_T = X.T, Y.T
    put = _setter(flat.values, net.dtype)
    x0 = np.array(to_numpy(flat.values), dtype=np.float64)
    start = x0.copy()  # the start of the iteration in progress (see _diverged)
    count = {"iterations": 0, "evaluations": 0, "loss": None}

    def objective(x):
        put(x)
        loss, _ = engine.step_value_and_grad(X_T, Y_T, weights)
        count["evaluations"] += 1
        grad = np.array(to_numpy(flat.grad), dtype=np.float64)  # a copy SciPy may keep
        what = ("loss" if not math.isfinite(loss) else
                "gradient" if not np.isfinite(grad).all() else None)
        if what is not None:
            raise _diverged(what, count)
        count["loss"] = loss
        return loss, grad

    def iteration_done(xk):
        count["iterations"] += 1
        start[...] = xk  # SciPy's working array, which it changes: copied
        if verbose:  # an iteration ends at the point its line search evaluated last
            print(f"Iteration {count['iterations']}, loss = {count['loss']:.8f}")

    # verbose prints from the callback: SciPy's own printing (iprint) is
    # deprecated since SciPy 1.15, whose L-BFGS-B prints nothing
    options = {"maxiter": max_iter, "maxfun": max_fun, "gtol": tol}
    try:
        # overflow on the way to a nan is caught by objective(), with advice
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            result = scipy.optimize.minimize(objective, x0, method="L-BFGS-B", jac=True,
                                             callback=iteration_done, options=options)
    except BaseException:
        _settle(net, put, start, X_T)
        raise
    _settle(net, put, result.x, X_T)
    return result


def _check_network(net):
    """Refuse what L-BFGS cannot train: anything but a Network, and dropout."""
    from ..model.network import Network

    if not isinstance(net, Network):
        raise TypeError(f"net must be a barenet.Network, got {type(net).__name__}")
    if any(net.dropout):
        raise ValueError(
            "L-BFGS cannot train a network with dropout: each evaluation draws new masks, "
            "so the objective it searches is random and its line search goes astray; set "
            "dropout to 0, or use the solver 'adam' or 'sgd'")


def _setter(values, dtype):
    """A function that writes a float64 point into the flat vector ``values``:
    rounded to ``dtype``, and copied to the vector's library and device."""
    if namespace(values) is NUMPY:
        def put(x):
            values[...] = x  # NumPy casts float64 to float32 as it copies
    else:
        def put(x):
            values[...] = like(x, values, dtype)
    return put


def _settle(net, put, x, X_T):
    """Put the network at ``x``; with batch normalization, set its running
    statistics to the full batch's at ``x`` (a fold with momentum 0)."""
    put(x)
    if any(net.batch_norm):
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            _, ws = net.engine.forward(X_T, training=True)
        flat = net.flat
        for l, cache in enumerate(ws.bn):
            if cache is not None:
                # zeroed first: 0 * a nan left by an earlier point would stay nan
                flat.running_means[l][...] = 0
                flat.running_vars[l][...] = 0
                update_running_stats(flat.running_means[l], flat.running_vars[l], cache, 0.0)


def _diverged(what, count):
    """The TrainingDiverged of a nan or infinite ``what`` ('loss' or
    'gradient') at the current evaluation."""
    iteration, evaluation = count["iterations"] + 1, count["evaluations"]
    which = ("the ones the search started from" if iteration == 1 else
             f"those after iteration {iteration - 1}")
    error = TrainingDiverged(
        f"the {what} became nan or infinite in L-BFGS iteration {iteration} (evaluation "
        f"{evaluation}); the parameters are {which}{_ADVICE}")
    error.what, error.epoch, error.step, error.restored_epoch = (what, iteration, evaluation,
                                                                  iteration)
    return error

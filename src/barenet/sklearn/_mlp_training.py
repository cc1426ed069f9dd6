"""What the MLP estimators' stochastic training does around
[`Network.fit`][barenet.Network.fit], as scikit-learn's MLP does it: the
validation split of early stopping, the batch size, the sample weights
and the L2 strength, and the end of every epoch (`EpochEnd`).
"""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from ..core.namespace import NUMPY, like
from ..model.callbacks import Callback
from ..model.placement import library_of


class EpochEnd(Callback):
    """scikit-learn's end of an epoch, on the MLP ``estimator`` that trains:
    ``n_iter_``, ``loss_`` (the epoch's mean objective, L2 included, from
    the network's History), ``t_`` (``n_samples`` more), ``loss_curve_``,
    the verbose line, the count of epochs without improvement (with early
    stopping, on the score of ``validation``, ``(X_val, Y_val,
    weights_val)``, keeping the best parameters), the rate of 'invscaling'
    and 'adaptive', and the decision to stop. ``stopped`` says whether it
    stopped training."""

    def __init__(self, estimator, n_samples, validation):
        self.estimator, self.n_samples, self.validation = estimator, n_samples, validation
        self.stopped = False

    def on_train_begin(self, model, epochs, steps_per_epoch):
        self.model = model

    def on_epoch_end(self, epoch, history):
        est = self.estimator
        est.n_iter_ += 1
        est.loss_ = history["loss"][-1]
        est.t_ += self.n_samples
        est.loss_curve_.append(est.loss_)
        if est.verbose:
            print("Iteration %d, loss = %.8f" % (est.n_iter_, est.loss_))
        self.count_no_improvement()
        solver = est._optimizer
        solver.iteration_ends(est.t_, est.optimizer_)
        if est._no_improvement_count > est.n_iter_no_change:
            if solver.trigger_stopping(self.message(), est.verbose, est.optimizer_):
                self.stopped = True
                return True
            est._no_improvement_count = 0
        return False

    def count_no_improvement(self):
        """scikit-learn's count of epochs without an improvement by more than
        ``tol``: of the validation score with early stopping (whose best
        epoch's parameters are kept), of the training loss otherwise."""
        est = self.estimator
        if self.validation is not None:
            score = est._validation_score(*self.validation)
            est.validation_scores_.append(score)
            if est.verbose:
                print("Validation score: %f" % score)
            if score < est.best_validation_score_ + est.tol:
                est._no_improvement_count += 1
            else:
                est._no_improvement_count = 0
            if score > est.best_validation_score_:
                est.best_validation_score_ = score
                est._best_parameters = self.model.flat.snapshot()
            return
        if est.loss_curve_[-1] > est.best_loss_ - est.tol:
            est._no_improvement_count += 1
        else:
            est._no_improvement_count = 0
        if est.loss_curve_[-1] < est.best_loss_:
            est.best_loss_ = est.loss_curve_[-1]

    def message(self):
        est = self.estimator
        what = "Validation score" if self.validation is not None else "Training loss"
        return "%s did not improve more than tol=%f for %d consecutive epochs." % (
            what, est.tol, est.n_iter_no_change)

    def diverged(self, error):
        """The epoch whose loss became nan or infinite (``error``, barenet's
        TrainingDiverged), recorded as scikit-learn records it -- a nan loss
        and, with early stopping, a nan score -- and reported."""
        est = self.estimator
        est.n_iter_ += 1
        est.t_ += self.n_samples
        est.loss_ = float("nan")
        est.loss_curve_.append(est.loss_)
        if self.validation is not None:
            est.validation_scores_.append(float("nan"))
        warnings.warn(
            f"Stochastic Optimizer: training stopped at epoch {est.n_iter_}: {error} The "
            "parameters are those of the best validation score.", ConvergenceWarning)


def split(estimator, X, Y, sample_weight, random_state, stratify):
    """``(X_train, Y_train, w_train, validation)``: with early stopping,
    ``validation_fraction`` of the samples held out as scikit-learn holds
    them (``train_test_split`` with ``random_state``, stratified by the rows
    of ``stratify`` when not None), ``validation`` being ``(X_val, Y_val,
    w_val)``; without, everything and None. The split's indices are drawn
    on the host (``train_test_split`` draws them from the number of samples
    and ``stratify`` alone); the rows of ``X`` are taken in its library."""
    if not estimator.early_stopping:
        return X, Y, sample_weight, None
    train, test = train_test_split(np.arange(X.shape[0]), random_state=random_state,
                                   test_size=estimator.validation_fraction, stratify=stratify)
    X_train, X_val = rows(X, train), rows(X, test)
    Y_train, Y_val = Y[train], Y[test]
    w_train, w_val = ((None, None) if sample_weight is None else
                      (sample_weight[train], sample_weight[test]))
    if X_val.shape[0] < 2:
        raise ValueError(
            "The validation set is too small. Increase 'validation_fraction' or the size of "
            "your dataset."
        )
    return X_train, Y_train, w_train, (X_val, Y_val, w_val)


def rows(A, index):
    """The rows ``index`` (a NumPy integer array) of ``A``: a NumPy array or
    sparse matrix, or an array of another library (taken there)."""
    xp = library_of(A)
    return A[index] if xp is NUMPY else xp.take(A, like(index, A), axis=0)


def batch_size(batch_size, n_samples):
    """scikit-learn's batch size: 'auto' is ``min(200, n_samples)``; a
    larger one is clipped, with its warning."""
    if batch_size == "auto":
        return min(200, n_samples)
    if batch_size > n_samples:
        warnings.warn(
            "Got `batch_size` less than 1 or larger than sample size. It is going to be clipped"
        )
    return int(np.clip(batch_size, 1, n_samples))


def weights_and_l2(sample_weight, extra, alpha):
    """``(weights, l2)`` for ``Network.fit``: the sample weights (times the
    ``extra`` weights, such as class weights; either may be None) scaled to
    a mean of 1, or None when all are equal, and the L2 strength that gives
    scikit-learn's objective ``(sum_i w_i loss_i + alpha / 2 * sum W^2) /
    sum_i w_i``: ``alpha`` over the weights' mean (exact for the full batch,
    and for mini-batches on average over them)."""
    weights = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    if extra is not None:
        weights = extra if weights is None else weights * extra
    if weights is None:
        return None, float(alpha)
    mean = weights.mean()
    if not mean > 0:
        raise ValueError("sample weights are all zero: at least one must be positive")
    l2 = float(alpha) / mean
    if (weights == weights[0]).all():
        return None, l2
    return weights / mean, l2

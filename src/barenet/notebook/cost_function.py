"""The cost function: the notebook's cross-entropy by default, any loss of
[`barenet.core.losses`][barenet.core.losses] by name, plus the L2 penalty when ``lambd`` > 0."""

from ..core import losses as _losses
from ..core.regularization import l2_penalty
from . import checks


def cost(AL, Y, loss="binary_crossentropy", parameters=None, lambd=0.0):
    """The cost of predictions ``AL`` against targets ``Y`` (both (n_L, m)).

    By default the notebook's cross-entropy
    ``-1/m * sum(Y log AL + (1 - Y) log(1 - AL))``, computed so that
    predictions of exactly 0 or 1 give a finite cost; ``loss`` may name any
    loss in barenet.losses.REGISTRY. With ``lambd`` > 0 the L2 penalty
    ``lambd / (2 m) * sum of ||W{l}||^2`` over the ``parameters`` is added.

    ``Y`` has the shape of ``AL`` (a 1-D ``Y`` of m labels is taken for a
    one-row ``AL``). For the cross-entropies, ``AL`` must hold probabilities
    and ``Y`` targets in [0, 1]; anything else is a ValueError naming it.
    """
    loss = _losses.get(loss)
    lambd = checks.check_lambd(lambd)
    AL, Y = checks.check_targets(AL, Y, loss)
    value = loss.value(AL, Y)
    if lambd:
        if parameters is None:
            raise TypeError("cost with lambd > 0 needs the parameters, for the L2 penalty")
        L = checks.n_layers(parameters)
        value += l2_penalty([parameters[f"W{l}"] for l in range(1, L + 1)], lambd, AL.shape[1])
    return value

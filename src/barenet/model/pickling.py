"""What a pickle of a [`barenet.Network`][barenet.Network] holds, and pickles written by
an older barenet brought up to date.

A pickle holds the network's configuration, its flat vectors
(`FlatParameters`, as laid out in memory,
with the layout's number) and its fitted state; the per-layer views, the
engine and its workspaces are rebuilt on loading. Files written by
[`barenet.Network.save`][barenet.Network.save] do not depend on any of this.
"""

from .parameters import PARAMETER_LAYOUT, FlatParameters
from .trainer import Run

# what is rebuilt rather than pickled
_REBUILT = ("parameters", "weights", "biases", "gammas", "betas", "running_means",
            "running_vars", "engine")


def state_of(net):
    """The pickled state of ``net``: its ``__dict__`` less what is rebuilt,
    with its L2 strength and the layout's number."""
    state = {k: v for k, v in vars(net).items() if k not in _REBUILT}
    state["l2"], state["_layout"] = net.l2, PARAMETER_LAYOUT
    return state


def restored(state):
    """A pickled state as ``__dict__`` entries of a Network (plus ``l2``):
    one from an older barenet brought up to date. A pickle of another
    layout of the flat vectors would give each view the wrong values: it is
    refused."""
    state = dict(state)
    if state.pop("_layout", None) != PARAMETER_LAYOUT:
        raise ValueError(
            "this Network was pickled by a barenet whose parameter vector has another "
            "layout; load a file written by Network.save instead (files do not depend on it)"
        )
    if "flat" not in state:  # before the flat vectors and the run had objects of their own
        state["flat"] = FlatParameters(state["layer_sizes"], state["batch_norm"], state["dtype"],
                                       (state.pop("parameters"), state.pop("_grad"),
                                        state.pop("_state")))
        state["rng"] = state.pop("_rng")
        run = state.pop("_run", None)  # a dict of the Run's fields, or None
        state["run_"] = None if run is None else Run(**run)
        for name in ("_blocks", "_dweights", "_dbiases", "_dgammas", "_dbetas", "_dblocks",
                     "_workspaces"):
            state.pop(name, None)
    state.setdefault("standardize", False)  # pickled before standardization existed
    state.setdefault("scaler_", None)
    return state

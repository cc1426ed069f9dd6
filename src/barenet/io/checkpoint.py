"""A checkpoint's training state, both ways: the current run of a network (its
optimizer's state, random state, epoch, schedule) as JSON metadata and arrays
for [`barenet.io.persistence.save`][barenet.io.persistence.save] with ``training_state=True``, and
that run given back to a loaded network ([`barenet.Network.resume`][barenet.Network.resume]
carries it on).

The optimizer's arrays shaped like the parameters are held in the file's
order of the parameters (W and b apart, layer by layer; see
[`barenet.io.persistence`][barenet.io.persistence]), whatever the layout in memory,
and as NumPy arrays whatever the library of the network.
"""

import numpy as np

from .. import optimizers, schedules
from ..core.namespace import to_numpy
from ..model.runs import check_optimizer
from ..model.trainer import Run


def run_metadata(net, arrays, order):
    """The current run as JSON, its arrays added to ``arrays`` (those shaped
    like the parameters in the file's ``order``)."""
    run = net.run_
    if run is None or net.optimizer_ is None:
        raise ValueError("training_state=True needs a run: call fit first")
    optimizer = net.optimizer_
    if optimizers.REGISTRY.get(optimizer.name) is not type(optimizer):
        raise ValueError(
            f"cannot save the training state of the custom optimizer {optimizer!r}: only "
            "optimizers in barenet.optimizers.REGISTRY can be saved with it"
        )
    state = optimizer.get_state()
    for name, values in state["arrays"].items():
        for i, value in enumerate(values):
            value = to_numpy(value)  # a copy from the network's library and device
            arrays[f"optimizer.{name}.{i}"] = value[order] if value.shape == order.shape else value
    if run.order is not None:
        arrays["run.order"] = run.order
    schedule = run.schedule
    return {
        "epochs": run.epochs, "epoch": run.epoch, "batch_size": run.batch_size,
        "shuffle": run.shuffle, "base_lr": run.base_lr,
        "validation_split": run.validation_split,
        "schedule": None if schedule is None else {"name": schedule.name, **schedule.get_config()},
        "optimizer": {"name": optimizer.name, **optimizer.get_config()},
        "optimizer_t": state["t"],
        "optimizer_arrays": {name: len(values) for name, values in state["arrays"].items()},
        "random_state": net.rng.bit_generator.state,
    }


def _in_memory(order, saved):
    """A vector saved in a file's ``order`` (see
    [`barenet.io.persistence.save`][barenet.io.persistence.save]), in the layout of the parameters
    in memory; one of another shape is left as it is (the checks that follow
    refuse it)."""
    if saved.shape != order.shape:
        return saved
    restored = np.empty_like(saved)
    restored[order] = saved
    return restored


def restore_run(net, run, arrays, fail, order):
    """Give ``net`` the run saved by `run_metadata` (its optimizer
    arrays in the file's ``order``); ``fail(problem)`` raises for a damaged
    one."""
    try:
        config = dict(run["optimizer"])
        optimizer = optimizers.REGISTRY[config.pop("name")](**config)
        state_arrays = {name: [_in_memory(order, arrays[f"optimizer.{name}.{i}"])
                               for i in range(count)]
                        for name, count in run["optimizer_arrays"].items()}
        shapes = {a.shape for values in state_arrays.values() for a in values}
        if len(shapes) > 1:
            raise ValueError(f"the optimizer's state arrays have different shapes {sorted(shapes)}")
        optimizer.set_state({"t": run["optimizer_t"], "arrays": state_arrays})
        schedule = None
        if run["schedule"] is not None:
            config = dict(run["schedule"])
            schedule = schedules.REGISTRY[config.pop("name")](**config)
        rng = np.random.default_rng()
        rng.bit_generator.state = run["random_state"]
        # NumPy 1.x takes some invalid states (a negative integer, wrapped)
        # where 2.x raises: a state that does not read back as saved is damaged
        if rng.bit_generator.state != run["random_state"]:
            raise ValueError("the random state does not read back as it was saved")
        order = arrays.get("run.order")
        epochs, epoch, batch_size = run["epochs"], run["epoch"], run["batch_size"]
        if not all(isinstance(v, int) and not isinstance(v, bool)
                   for v in (epochs, epoch, batch_size)):
            raise TypeError("epochs, epoch and batch_size must be integers")
        if not (0 <= epoch <= epochs and epochs >= 1 and batch_size >= 1):
            raise ValueError(f"epoch {epoch} of epochs {epochs}, batch_size {batch_size}")
        split = run["validation_split"]
        if split is not None and not (isinstance(split, float) and 0 < split < 1
                                      and order is not None and order.ndim == 1):
            raise ValueError(f"validation_split {split!r} is not in (0, 1) with its order")
        net.run_ = Run(epochs, batch_size, bool(run["shuffle"]), schedule, float(run["base_lr"]),
                       run["validation_split"], order, epoch)
    except (KeyError, TypeError, ValueError, OverflowError, AttributeError) as exc:
        fail(f"its training state is damaged ({type(exc).__name__}: {exc})")
    try:
        check_optimizer(optimizer, net.parameters)
    except ValueError:
        fail("its optimizer state does not fit the parameters")
    net.optimizer_ = optimizer
    net.rng = rng

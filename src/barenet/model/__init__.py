"""The model: [`Network`][barenet.Network] (configuration and API) and what it is made of.

- `network` -- ``Network``;
- `config` -- its configuration, checked;
- `parameters` -- the flat parameter vectors and their views;
- `targets` -- inputs, targets, sample and class weights;
- `runs` -- a run of ``fit``/``resume`` prepared and checked;
- `trainer` -- the training loop, its ``History`` and ``Run``;
- `batches` -- mini-batches;
- `sparse` -- SciPy sparse inputs, made dense a batch or a block of rows at a time;
- `callbacks` -- hooks into the training loop.

The passes themselves are the fast layer's ([`barenet.fast.engine`][barenet.fast.engine]),
over the formulas of [`barenet.core`][barenet.core].
"""

from .network import Network
from .trainer import History

__all__ = ["Network", "History"]

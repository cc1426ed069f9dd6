"""Export a trained network to ONNX, to run it with onnxruntime or any ONNX runtime:

    import barenet.onnx
    barenet.onnx.export(net, "model.onnx")

``model`` is a [`Network`][barenet.Network] or a fitted scikit-learn style
estimator holding one in ``network_`` (``BarenetClassifier``,
``BarenetRegressor``); an estimator's own ``classes_``, when it has them,
name the labels. Needs the ``onnx`` package (``pip install barenet[onnx]``),
imported only when exporting: barenet itself never needs it.

A network on another array library (PyTorch, CuPy, ``array_api_strict``)
exports the graph the same network on NumPy gives: its arrays are copied to
NumPy (from its device) as the graph is built.

The graph
---------
Input ``X`` of shape ``(N, n_0)``, ``N`` dynamic, in the network's dtype
(``float32`` -> ONNX FLOAT, ``float64`` -> DOUBLE; feed it in that dtype), or
in the ``dtype`` given to [`export`][barenet.io.onnx.export], which is then
the dtype of every constant and output too.
A network with a ``scaler_`` (``standardize=True``) takes raw features: the
graph starts with ``Sub(X, mean)`` then ``Div(., scale)``, the scaler's arrays
in the network's dtype, the same two roundings as
[`transform`][barenet.preprocessing.Standardizer.transform], so the standardized
inputs equal barenet's bit for bit. Each weight layer ``l`` is one
``Gemm(A, W_l, b_l, transB=1)`` (``W_l`` is stored as barenet keeps it,
``(n_{l+1}, n_l)``) followed by its activation:

============  =================================================================
barenet       ONNX
============  =================================================================
linear        no node
relu          ``Relu``
sigmoid       ``Sigmoid``
tanh          ``Tanh``
leaky_relu    ``LeakyRelu(alpha=slope)``; for a float64 network whose slope a
              float32 cannot hold exactly (ONNX attributes are float32), the
              same formula as barenet, ``Max(z, Mul(z, slope))``, with the
              slope as a float64 constant
softmax       ``Softmax(axis=1)``
exp           ``Exp``
============  =================================================================

Batch normalization is folded into the Gemm: with the running statistics,
``s = gamma / sqrt(var + eps)``, ``W' = s W`` and ``b' = s (b - mean) + beta``
(computed in float64, then cast to the network's dtype). Dropout, the identity
at inference, leaves no trace.

Outputs:

- classifiers: ``label``, shape ``(N,)``, and ``probabilities``, shape
  ``(N, n_classes)`` with columns in the order of ``classes_`` -- for a binary
  network (one sigmoid unit ``p``) ``Concat(1 - p, p)``. ``label`` is
  ``ArgMax(probabilities, axis=1)`` mapped to the class labels by ``Gather`` from
  a constant tensor of ``classes_``: int64 for integer labels (the ArgMax
  itself when the labels are ``0..k-1``), strings for string labels, and
  float or bool tensors for float or bool labels. For a binary network
  ``ArgMax(1 - p, p)`` is ``p > 0.5``, exactly as [`Network.predict`][barenet.Network.predict]
  decides (``1 - p`` is exact for ``p >= 0.5``, and ties go to the first class).
- multilabel classifiers (``k > 1`` sigmoid units): ``label``, shape ``(N, k)``,
  the int64 indicators ``Cast(Greater(probabilities, 0.5))`` as
  [`Network.predict`][barenet.Network.predict] gives them, and ``probabilities``,
  shape ``(N, k)``, each label's own.
- regressors: ``variable``, shape ``(N,)`` for one output unit, as
  [`Network.predict`][barenet.Network.predict] returns it, else ``(N, k)``.

The model targets opset 17 by default (any from 13 on gives the same graph)
and declares the lowest IR version that opset allows, so that older runtimes
load it too. It passes ``onnx.checker.check_model(full_check=True)`` before it
is written; the file is written to a temporary file and renamed over ``path``,
so an interrupted export leaves any previous file intact.
"""

import os

import numpy as np
import array_api_compat

from ..core import activations as _activations
from ..core.namespace import to_numpy
from .._checks import check_float_dtype, check_int
from ..errors import NotFittedError
from ..model.network import Network
from .files import write_atomically

OPSET = 17
MIN_OPSET = 13  # Softmax over one axis, Squeeze's axes as an input


def export(model, path, opset=OPSET, dtype=None):
    """Write ``model`` to ``path`` as an ONNX file; see the module docstring
    for the graph. Returns nothing.

    Parameters
    ----------
    model : Network, or an estimator with a fitted network_
        A classifier must be fitted (its class labels are part of the graph).
    path : str or path-like
        The file to write, conventionally ending in ``.onnx``.
    opset : int, default 17
        The ONNX operator set to target, 13 or newer.
    dtype : {'float32', 'float64'} or None, default None
        The graph's float type: of its input ``X``, its weights and its
        float outputs. None: the network's own dtype, the graph computing
        exactly what the network computes. ``'float32'`` for a float64
        network (most ONNX runtimes and accelerators expect float32 inputs):
        the weights are rounded to float32 (batch normalization folded in
        float64 first, then rounded once) and the graph computes in float32,
        so its outputs differ from the network's by float32 rounding, a
        relative error of about ``1e-7`` per operation -- typically below
        ``1e-5`` on the probabilities or targets -- and a label can differ
        where two classes' probabilities are that close to a tie.
        ``'float64'`` for a float32 network holds the weights exactly and
        computes in float64, so its outputs are at least as accurate as the
        network's own.
    """
    proto = to_onnx(model, opset, dtype)
    path = os.fspath(path)
    if os.path.isdir(path):
        raise IsADirectoryError(f"{path} is a directory; give a file name such as model.onnx")
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"cannot write {path}: there is no directory {directory}")
    write_atomically(path, lambda f: f.write(proto.SerializeToString()))


def to_onnx(model, opset=OPSET, dtype=None):
    """The ONNX ``ModelProto`` of ``model``, checked, as [`export`][barenet.io.onnx.export]
    writes it (the same arguments)."""
    net, classes = _network_of(model)
    opset = check_int("opset", opset, minimum=MIN_OPSET)
    dtype = net.dtype if dtype is None else check_float_dtype("dtype", dtype)
    onnx = _import_onnx()
    if opset > onnx.defs.onnx_opset_version():
        raise ValueError(
            f"opset {opset} is newer than the installed onnx {onnx.__version__} knows "
            f"(up to {onnx.defs.onnx_opset_version()})"
        )
    from .._version import __version__

    helper = onnx.helper
    graph = _Graph(onnx, dtype)
    graph.inputs.append(graph.value("X", graph.elem, ["N", net.layer_sizes[0]]))
    build(graph, net, classes, "X")
    opsets = [helper.make_opsetid("", opset)]
    proto = helper.make_model(
        helper.make_graph(graph.nodes, "barenet", graph.inputs, graph.outputs, graph.initializers),
        opset_imports=opsets,
        ir_version=helper.find_min_ir_version_for(opsets),
        producer_name="barenet",
        producer_version=__version__,
        doc_string=repr(net),
    )
    onnx.checker.check_model(proto, full_check=True)
    return proto


def _import_onnx():
    try:
        import onnx
    except ImportError:
        raise ImportError(
            "exporting to ONNX needs the onnx package: pip install barenet[onnx]"
        ) from None
    return onnx


def _network_of(model):
    """``(network, class labels or None)`` of a Network or a fitted estimator."""
    if isinstance(model, Network):
        net, classes = model, model.classes_
    elif hasattr(model, "network_") or hasattr(model, "fit"):
        owner = type(model).__name__
        net = getattr(model, "network_", None)
        if net is None:
            raise NotFittedError(f"this {owner} has not been fitted yet; call fit before exporting")
        if not isinstance(net, Network):
            raise TypeError(f"{owner}.network_ must be a barenet Network, got {type(net).__name__}")
        # an estimator may keep the labels itself and fit its network on indices
        classes = getattr(model, "classes_", None)
        if classes is None:
            classes = net.classes_
    else:
        raise TypeError(
            "export needs a barenet Network or a fitted estimator holding one in network_, "
            f"got {type(model).__name__}"
        )
    if net.task == "regression":
        return net, None
    if classes is None:
        raise NotFittedError(
            "this classifier has not been fitted yet, so its class labels are unknown; "
            "call fit before exporting"
        )
    # labels kept as an array of another library are copied from its device
    classes = to_numpy(classes) if array_api_compat.is_array_api_obj(classes) else np.asarray(
        classes)
    expected = 2 if net.task == "binary" else net.layer_sizes[-1]
    if classes.shape != (expected,):
        raise ValueError(
            f"the classifier has class labels of shape {classes.shape}, but its output "
            f"needs {expected}"
        )
    return net, classes


class _Graph:
    """Nodes, constants, inputs and outputs of the graph being built, in
    float type ``dtype``. [`build`][barenet.io.onnx.build] adds to it only
    through ``node``, ``const``, ``output`` and ``labels``, using the names
    they return, so that another graph (the skl2onnx converters') can rename
    what it adds."""

    # one output unit of a regressor: the graph's output squeezed to (N,)
    squeeze = True

    def __init__(self, onnx, dtype):
        self.onnx = onnx
        self.dtype = np.dtype(dtype)
        self.elem = onnx.helper.np_dtype_to_tensor_dtype(self.dtype)
        self.nodes, self.initializers, self.inputs, self.outputs = [], [], [], []

    def node(self, op, inputs, output, **attributes):
        """Add one node computing ``output``; returns its name."""
        self.nodes.append(self.onnx.helper.make_node(op, inputs, [output], name=output,
                                                     **attributes))
        return output

    def output(self, name, elem, shape):
        """Declare ``name`` an output of the graph."""
        self.outputs.append(self.value(name, elem, shape))

    def labels(self, classes):
        """The constant tensor of class labels the ``label`` output gathers from."""
        return _label_tensor(classes)

    def const(self, name, array):
        """Add a constant tensor; returns its name."""
        array = np.asarray(array)
        if array.dtype.kind in "US":
            tensor = self.onnx.helper.make_tensor(
                name, self.onnx.TensorProto.STRING, array.shape,
                [s.encode("utf-8") if isinstance(s, str) else s for s in array.ravel().tolist()],
            )
        else:
            tensor = self.onnx.numpy_helper.from_array(array, name)
        self.initializers.append(tensor)
        return name

    def value(self, name, elem, shape):
        return self.onnx.helper.make_tensor_value_info(name, elem, shape)

def _leaky_relu(graph, activation, Z, out):
    slope = activation.slope
    if graph.dtype == np.float32 or float(np.float32(slope)) == slope:
        return graph.node("LeakyRelu", [Z], out, alpha=slope)
    scaled = graph.node("Mul", [Z, graph.const(f"{out}_slope", np.array(slope, graph.dtype))],
                        f"{out}_scaled")
    return graph.node("Max", [Z, scaled], out)


def _simple(op, **attributes):
    def add(graph, activation, Z, out):
        return graph.node(op, [Z], out, **attributes)

    return add


# How each activation in barenet.activations.REGISTRY becomes ONNX nodes:
# ``add(graph, activation, Z, out)`` computes ``out`` from ``Z``. None: no node.
ACTIVATIONS = {
    "linear": None,
    "relu": _simple("Relu"),
    "sigmoid": _simple("Sigmoid"),
    "tanh": _simple("Tanh"),
    "leaky_relu": _leaky_relu,
    "softmax": _simple("Softmax", axis=1),
    "exp": _simple("Exp"),
}


def _folded(net, l, dtype):
    """Layer ``l``'s Gemm weight ``(n_out, n_in)`` and bias ``(n_out,)``, with
    batch normalization's inference step folded in: NumPy arrays of ``dtype``,
    copied from the network's library and device."""
    W, b = to_numpy(net.weights[l]), to_numpy(net.biases[l])
    if not net.batch_norm[l]:
        return W.astype(dtype), b.ravel().astype(dtype)
    gamma, beta, mean, var = (to_numpy(a[l]) for a in (net.gammas, net.betas,
                                                       net.running_means, net.running_vars))
    scale = gamma.astype(np.float64) / np.sqrt(var.astype(np.float64) + net.bn_eps)
    W = scale * W.astype(np.float64)
    b = scale * (b.astype(np.float64) - mean) + beta
    # rounded once, to the graph's dtype (the network's own, or the one asked for)
    return W.astype(dtype), b.ravel().astype(dtype)


def _label_tensor(classes):
    """The class labels as the constant the ``label`` output gathers from."""
    if classes.dtype == object:  # e.g. strings from pandas: try their plain NumPy type
        plain = np.asarray(classes.tolist())
        if plain.shape == classes.shape and plain.dtype != object:
            classes = plain
    kind = classes.dtype.kind
    if kind in "iu":
        if kind == "u" and classes.max() > np.iinfo(np.int64).max:
            raise ValueError("class labels above the int64 range cannot be exported")
        return classes.astype(np.int64)
    if kind in "bfUS":
        return classes
    raise TypeError(
        f"cannot export class labels of dtype {classes.dtype} ({classes.tolist()[:5]}); "
        "ONNX labels are numbers, strings or booleans"
    )


def build(graph, net, classes, X):
    """Add to ``graph`` the nodes computing ``net``'s outputs from its input
    named ``X``, and declare the outputs (see the module docstring): the one
    graph building both [`to_onnx`][barenet.io.onnx.to_onnx] and the skl2onnx
    converters (``barenet.io.skl2onnx_converters``) use. ``classes``: the class
    labels of a classifier, None for a regressor."""
    n_out = net.layer_sizes[-1]
    if net.task in ("multiclass", "multilabel"):
        last = "probabilities"
    elif net.task == "binary":
        last = "p"
    else:
        last = "variable" if n_out > 1 or not graph.squeeze else "y"

    A, L = X, len(net.weights)
    if net.scaler_ is not None:
        mean, scale = (to_numpy(a).astype(graph.dtype)
                       for a in (net.scaler_.mean_, net.scaler_.scale_))
        centered = graph.node("Sub", [A, graph.const("scaler_mean", mean)], "X_centered")
        A = graph.node("Div", [centered, graph.const("scaler_scale", scale)], "X_standardized")
    for l, activation in enumerate(net.activations):
        if activation.name not in ACTIVATIONS or (
            _activations.REGISTRY.get(activation.name) is not type(activation)
        ):
            raise ValueError(
                f"cannot export the custom activation {activation!r}: only activations in "
                "barenet.activations.REGISTRY can be exported"
            )
        add = ACTIVATIONS[activation.name]
        out = last if l == L - 1 else f"A{l}"
        W, b = _folded(net, l, graph.dtype)
        Z = graph.node("Gemm", [A, graph.const(f"W{l}", W), graph.const(f"b{l}", b)],
                       out if add is None else f"Z{l}", transB=1)
        A = Z if add is None else add(graph, activation, Z, out)

    if net.task == "regression":
        squeeze = n_out == 1 and graph.squeeze
        if squeeze:
            A = graph.node("Squeeze", [A, graph.const("squeeze_axes", np.array([1], np.int64))],
                           "variable")
        graph.output(A, graph.elem, ["N"] if squeeze else ["N", n_out])
    elif net.task == "multilabel":
        _multilabel_outputs(graph, A, n_out)
    else:
        _class_outputs(graph, net, A, classes)


def _multilabel_outputs(graph, P, k):
    """A multilabel network's outputs: ``label``, the int64 indicators ``P > 0.5``,
    and ``probabilities`` ``P``, both ``(N, k)``."""
    int64 = graph.onnx.TensorProto.INT64
    above = graph.node("Greater", [P, graph.const("half", np.array(0.5, graph.dtype))], "above")
    label = graph.node("Cast", [above], "label", to=int64)
    graph.output(label, int64, ["N", k])
    graph.output(P, graph.elem, ["N", k])


def _class_outputs(graph, net, A, classes):
    """A binary or multi-class classifier's outputs, from its last layer's
    ``A``: ``label`` ``(N,)`` and ``probabilities`` ``(N, n_classes)``."""
    onnx = graph.onnx
    if net.task == "binary":
        q = graph.node("Sub", [graph.const("one", np.array(1, graph.dtype)), A], "q")
        A = graph.node("Concat", [q, A], "probabilities", axis=1)
    labels = graph.labels(classes)
    if labels.dtype == np.int64 and np.array_equal(labels, np.arange(len(labels))):
        label = graph.node("ArgMax", [A], "label", axis=1, keepdims=0)
    else:
        index = graph.node("ArgMax", [A], "index", axis=1, keepdims=0)
        label = graph.node("Gather", [graph.const("classes", labels), index], "label", axis=0)
    label_elem = (onnx.TensorProto.STRING if labels.dtype.kind in "US"
                  else onnx.helper.np_dtype_to_tensor_dtype(labels.dtype))
    graph.output(label, label_elem, ["N"])
    graph.output(A, graph.elem, ["N", len(labels)])

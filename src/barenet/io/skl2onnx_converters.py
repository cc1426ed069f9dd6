"""Converters that let ``skl2onnx`` export barenet's estimators, alone or
inside scikit-learn pipelines (``skl2onnx.to_onnx(pipeline, X[:1])``).

[`register`][barenet.io.skl2onnx_converters.register] registers, for each
estimator class, a shape calculator and a converter with
``skl2onnx.update_registered_converter``; ``barenet.onnx.register_converters()``
calls it with barenet's four estimators. The converter builds the same nodes
as [`barenet.onnx.export`][barenet.io.onnx.export] (one ``Gemm`` per layer,
its activation, the label selection), by [`build`][barenet.io.onnx.build]
itself, into skl2onnx's graph:

- the float type is that of the operator's input (skl2onnx's
  ``FloatTensorType`` or ``DoubleTensorType``): a float64 estimator in a
  pipeline fed float32 gets float32 weights, as ``export(..., dtype='float32')``;
- classifiers follow skl2onnx's conventions for classifiers: two outputs, the
  labels (int64, or strings) and the probabilities ``(N, n_classes)``, which
  skl2onnx turns by default into a list of dictionaries (its ``ZipMap``; the
  option ``{'zipmap': False}`` keeps the matrix, ``'columns'`` gives one output
  per class). Float and bool class labels become int64, as skl2onnx does for
  its own classifiers (float labels must then be whole numbers);
- multilabel classifiers: the ``(N, k)`` int64 indicators and the ``(N, k)``
  probabilities, with ``{'zipmap': False}``;
- regressors: one output ``(N, n_outputs)``, a column for one target, as
  skl2onnx gives its own regressors.

Needs ``skl2onnx`` (``pip install barenet[onnx]``); this module imports it
only when ``register`` is called.
"""

import numpy as np

from .onnx import MIN_OPSET, _Graph, _label_tensor, _network_of, build

# the options skl2onnx's own MLPClassifier converter declares
CLASSIFIER_OPTIONS = {
    "zipmap": [True, False, "columns"],
    "output_class_labels": [False, True],
    "nocl": [True, False],
}


def register(classifiers, regressors):
    """Register skl2onnx's shape calculator and converter for each class in
    ``classifiers`` and ``regressors`` (estimator classes holding a fitted
    barenet Network in ``network_``), under the alias ``Barenet<ClassName>``
    (overwriting any earlier registration)."""
    from skl2onnx import update_registered_converter

    for cls in classifiers:
        update_registered_converter(
            cls, f"Barenet{cls.__name__}", _classifier_shapes, _convert,
            options=CLASSIFIER_OPTIONS,
        )
    for cls in regressors:
        update_registered_converter(cls, f"Barenet{cls.__name__}", _regressor_shapes, _convert)


def _float_input(operator):
    from skl2onnx.common.data_types import DoubleTensorType, FloatTensorType

    X = operator.inputs[0].type if len(operator.inputs) == 1 else None
    if not isinstance(X, (FloatTensorType, DoubleTensorType)):
        raise TypeError(
            f"{type(operator.raw_operator).__name__} takes one float or double tensor, got "
            f"{[type(i.type).__name__ for i in operator.inputs]}; give skl2onnx float32 or "
            "float64 samples"
        )
    return type(X)


def _classifier_shapes(operator):
    from skl2onnx.common.data_types import Int64TensorType, StringTensorType

    float_type = _float_input(operator)
    N = operator.inputs[0].get_first_dimension()
    net, classes = _network_of(operator.raw_operator)
    k = len(classes)
    if net.task == "multilabel":
        operator.outputs[0].type = Int64TensorType([N, k])
    elif _skl2onnx_labels(classes).dtype.kind in "US":
        operator.outputs[0].type = StringTensorType([N])
    else:
        operator.outputs[0].type = Int64TensorType([N])
    operator.outputs[1].type = float_type([N, k])


def _regressor_shapes(operator):
    float_type = _float_input(operator)
    N = operator.inputs[0].get_first_dimension()
    net, _ = _network_of(operator.raw_operator)
    operator.outputs[0].type = float_type([N, net.layer_sizes[-1]])


def _skl2onnx_labels(classes):
    """The class labels as skl2onnx's classifiers give them: int64 (from
    integers, bools or whole floats) or strings."""
    labels = _label_tensor(classes)
    if labels.dtype.kind in "US" or labels.dtype == np.int64:
        return labels
    whole = labels.astype(np.int64)
    if labels.dtype.kind == "f" and not np.array_equal(whole, labels):
        raise ValueError(
            f"skl2onnx needs integer or string class labels; these are floats that are not "
            f"whole numbers ({labels.tolist()[:5]}): fit on integer or string labels"
        )
    return whole


class _ContainerGraph(_Graph):
    """[`build`][barenet.io.onnx.build]'s graph writing into skl2onnx's
    container: unique names from the scope, the outputs the operator's."""

    squeeze = False

    def __init__(self, onnx, dtype, scope, container, outputs):
        super().__init__(onnx, dtype)
        self.scope, self.container = scope, container
        self.final = outputs  # build's output name -> the operator's variable name

    def node(self, op, inputs, output, **attributes):
        name = self.final.get(output) or self.scope.get_unique_variable_name(output)
        self.container.add_node(op, inputs, name, name=self.scope.get_unique_operator_name(op),
                                **attributes)
        return name

    def const(self, name, array):
        name = self.scope.get_unique_variable_name(name)
        array = np.asarray(array)
        if array.dtype.kind in "US":
            elem = self.onnx.TensorProto.STRING
            content = [s.encode("utf-8") if isinstance(s, str) else s
                       for s in array.ravel().tolist()]
        else:
            elem = self.onnx.helper.np_dtype_to_tensor_dtype(array.dtype)
            content = array.ravel()
        self.container.add_initializer(name, elem, list(array.shape), content)
        return name

    def output(self, name, elem, shape):
        if name not in self.final.values():
            raise RuntimeError(f"the converter left the output {name} unnamed")

    def labels(self, classes):
        return _skl2onnx_labels(classes)


def _convert(scope, operator, container):
    """skl2onnx's converter of a barenet estimator."""
    import onnx

    if container.target_opset is not None and container.target_opset < MIN_OPSET:
        raise ValueError(
            f"barenet's estimators need ONNX opset {MIN_OPSET} or newer; skl2onnx was "
            f"asked for target_opset={container.target_opset}"
        )
    net, classes = _network_of(operator.raw_operator)
    from skl2onnx.common.data_types import DoubleTensorType

    dtype = np.float64 if isinstance(operator.inputs[0].type, DoubleTensorType) else np.float32
    names = [o.full_name for o in operator.outputs]
    if net.task == "regression":
        outputs = {"variable": names[0]}
    else:
        outputs = {"label": names[0], "probabilities": names[1]}
    graph = _ContainerGraph(onnx, dtype, scope, container, outputs)
    build(graph, net, classes, operator.inputs[0].full_name)

"""Export a trained network to ONNX: [`barenet.io.onnx`][barenet.io.onnx], under the name
barenet has always given it (``barenet.onnx.export(net, "model.onnx")``), and
[`register_converters`][barenet.onnx.register_converters], which teaches
``skl2onnx`` barenet's estimators so that whole scikit-learn pipelines export."""

from .io.onnx import ACTIVATIONS, MIN_OPSET, OPSET, export, to_onnx

__all__ = ["export", "to_onnx", "register_converters", "OPSET", "MIN_OPSET", "ACTIVATIONS"]


def register_converters():
    """Register converters for barenet's estimators with ``skl2onnx``, so that
    ``skl2onnx.to_onnx`` exports them, alone or as a step of a scikit-learn
    ``Pipeline``. Returns nothing; calling it again changes nothing.

    Covers [`MLPClassifier`][barenet.sklearn.MLPClassifier],
    [`MLPRegressor`][barenet.sklearn.MLPRegressor],
    [`BarenetClassifier`][barenet.sklearn.BarenetClassifier] and
    [`BarenetRegressor`][barenet.sklearn.BarenetRegressor]; the graph is the
    one [`export`][barenet.io.onnx.export] writes, with skl2onnx's outputs
    (see [`barenet.io.skl2onnx_converters`][barenet.io.skl2onnx_converters]).
    Explicit, not done on ``import barenet.onnx``, because importing skl2onnx
    takes seconds. Needs ``skl2onnx`` and scikit-learn
    (``pip install barenet[onnx,sklearn]``).
    """
    try:
        import skl2onnx  # noqa: F401
    except ImportError:
        raise ImportError(
            "register_converters needs the skl2onnx package: pip install barenet[onnx]"
        ) from None
    from .io.skl2onnx_converters import register
    from .sklearn import BarenetClassifier, BarenetRegressor, MLPClassifier, MLPRegressor

    register([MLPClassifier, BarenetClassifier], [MLPRegressor, BarenetRegressor])

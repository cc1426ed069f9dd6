"""Export a trained network to ONNX: [`barenet.io.onnx`][barenet.io.onnx], under the name
barenet has always given it (``barenet.onnx.export(net, "model.onnx")``)."""

from .io.onnx import ACTIVATIONS, MIN_OPSET, OPSET, export, to_onnx

__all__ = ["export", "to_onnx", "OPSET", "MIN_OPSET", "ACTIVATIONS"]

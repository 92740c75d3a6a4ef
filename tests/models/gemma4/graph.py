"""A small ONNX graph writer (nodes, initializers, a few fused helpers) for the tiny model."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import onnx
from onnx import helper, numpy_helper

OPSET = 17


def value(name: str, elem: int, shape: list) -> onnx.ValueInfoProto:
    """A graph input or output: `name`, its element type and (symbolic) shape."""
    return helper.make_tensor_value_info(name, elem, shape)


class Graph:
    """Nodes and initializers, with short helpers for the ops the tiny model uses."""

    def __init__(self) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.inits: list[onnx.TensorProto] = []
        self.n = 0

    def const(self, array: object, name: str | None = None) -> str:
        self.n += 1
        name = name or f"c{self.n}"
        self.inits.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def op(self, kind: str, inputs: list[str], outputs: int = 1, **attrs: object) -> str | list[str]:
        self.n += 1
        names = [f"{kind.lower()}_{self.n}_{i}" for i in range(outputs)]
        self.nodes.append(helper.make_node(kind, inputs, names, **attrs))
        return names[0] if outputs == 1 else names

    def named(self, kind: str, inputs: list[str], out: str, **attrs: object) -> str:
        self.nodes.append(helper.make_node(kind, inputs, [out], **attrs))
        return out

    def i64(self, v: object) -> str:
        return self.const(np.array(v, dtype=np.int64))

    def f32(self, v: object) -> str:
        return self.const(np.array(v, dtype=np.float32))

    def rmsnorm(self, x: str, dim: int) -> str:
        weight = self.const(np.ones(dim, np.float32))
        mean = self.op("ReduceMean", [self.op("Mul", [x, x])], axes=[-1], keepdims=1)
        root = self.op("Sqrt", [self.op("Add", [mean, self.f32(1e-6)])])
        return self.op("Mul", [self.op("Div", [x, root]), weight])

    def gelu(self, x: str) -> str:
        """gelu_pytorch_tanh."""
        cube = self.op("Mul", [self.op("Mul", [x, x]), x])
        inner = self.op("Add", [x, self.op("Mul", [self.f32(0.044715), cube])])
        tanh = self.op("Tanh", [self.op("Mul", [self.f32(math.sqrt(2 / math.pi)), inner])])
        return self.op("Mul", [self.op("Mul", [self.f32(0.5), x]), self.op("Add", [self.f32(1.0), tanh])])

    def model(self, name: str, inputs: list, outputs: list) -> onnx.ModelProto:
        graph = helper.make_graph(self.nodes, name, inputs, outputs, self.inits)
        model = helper.make_model(
            graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="tabula-tiny-gemma4"
        )
        model.ir_version = 8
        onnx.checker.check_model(model)
        return model


def save(model: onnx.ModelProto, folder: Path, stem: str) -> Path:
    """Write `stem`.onnx with its weights in `stem`.onnx_data beside it (the layout
    `use_external_data_format` asks Transformers.js to fetch)."""
    path = folder / f"{stem}.onnx"
    onnx.save_model(
        model, str(path), save_as_external_data=True, all_tensors_to_one_file=True,
        location=f"{stem}.onnx_data", size_threshold=1024,
    )  # fmt: skip
    return path

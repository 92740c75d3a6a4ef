"""The q4 variant: every MatMul with a constant 2-D weight becomes ONNX Runtime's `MatMulNBits`
(com.microsoft; 4 bits, blocks of 32 along K, symmetric: zero point 8), as the real q4 files
are made, in numpy (no onnxruntime package needed)."""

from __future__ import annotations

import numpy as np
import onnx
from onnx import helper, numpy_helper

BLOCK = 32


def pack(weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """W [K, N] -> (B uint8 [N, blocks, BLOCK/2], scales float32 [N * blocks])."""
    k, n = weight.shape
    blocks = -(-k // BLOCK)
    padded = np.zeros((blocks * BLOCK, n), np.float32)
    padded[:k] = weight
    cols = padded.T.reshape(n, blocks, BLOCK)  # per output column, K in blocks
    scales = np.abs(cols).max(axis=2) / 7.0
    scales[scales == 0] = 1.0
    q = np.clip(np.rint(cols / scales[..., None]) + 8, 0, 15).astype(np.uint8)
    packed = q[..., 0::2] | (q[..., 1::2] << 4)  # element 2i low nibble, 2i+1 high
    return packed, scales.astype(np.float32).reshape(-1)


def quantized(model: onnx.ModelProto) -> onnx.ModelProto:
    """A copy of `model` with its constant-weight MatMuls as MatMulNBits."""
    model = onnx.ModelProto.FromString(model.SerializeToString())
    graph = model.graph
    weights = {t.name: t for t in graph.initializer}
    nodes = []
    for node in graph.node:
        weight = weights.get(node.input[1]) if node.op_type == "MatMul" else None
        if weight is None or len(weight.dims) != 2:
            nodes.append(node)
            continue
        array = numpy_helper.to_array(weight)
        packed, scales = pack(array)
        b, s = f"{weight.name}_Q4", f"{weight.name}_scales"
        graph.initializer.extend([numpy_helper.from_array(packed, b), numpy_helper.from_array(scales, s)])
        nodes.append(helper.make_node(
            "MatMulNBits", [node.input[0], b, s], list(node.output), domain="com.microsoft",
            K=array.shape[0], N=array.shape[1], bits=4, block_size=BLOCK,
        ))  # fmt: skip
    used = {name for node in nodes for name in node.input}
    kept = [t for t in graph.initializer if t.name in used]
    del graph.node[:], graph.initializer[:]
    graph.node.extend(nodes)
    graph.initializer.extend(kept)
    model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    return model

"""The tiny model's four ONNX sessions, with the real E2B's tensor names, ranks and dtypes:
`embed_tokens`, `decoder_model_merged`, `vision_encoder`, `audio_encoder` (maths simplified)."""

from __future__ import annotations

import math

import numpy as np
import onnx
from onnx import TensorProto

from tests.models.gemma4.graph import Graph, value

FLOAT, INT64, BOOL = TensorProto.FLOAT, TensorProto.INT64, TensorProto.BOOL
H, L, NH, NKV, PLE, FF = 64, 2, 2, 1, 8, 128  # hidden, layers, heads, kv heads, per-layer input, MLP
LAYER_TYPES = ("sliding_attention", "full_attention")
HEAD_DIM = {"sliding_attention": 16, "full_attention": 32}  # head_dim / global_head_dim, as E2B's
WINDOW, MAXPOS = 512, 4096
PATCH, POOL, MEL = 16, 3, 128  # the real E2B processor: pixel_values [n, 2520, 768]; 128 mel bins
PATCH_DIM = PATCH * PATCH * 3
VISION, AUDIO = 32, 32  # encoder widths
AUDIO_SEQ = 750  # at most 750 audio tokens (30 s)


class Weights:
    """Seeded random weights (the same model on every build)."""

    def __init__(self, seed: int = 0) -> None:
        self.rng = np.random.default_rng(seed)

    def __call__(self, *shape: int, scale: float = 0.05) -> np.ndarray:
        return (self.rng.standard_normal(shape) * scale).astype(np.float32)


def embed_tokens(
    w: Weights, embed: np.ndarray, per_layer: np.ndarray, ids: dict[str, int]
) -> onnx.ModelProto:
    """input_ids -> inputs_embeds, per_layer_inputs (image/audio ids read as <pad>, as HF does)."""
    g = Graph()
    image = g.op("Equal", ["input_ids", g.i64(ids["<|image|>"])])
    media = g.op("Or", [image, g.op("Equal", ["input_ids", g.i64(ids["<|audio|>"])])])
    text_ids = g.op("Where", [media, g.i64(ids["<pad>"]), "input_ids"])
    rows = g.op("Gather", [g.const(embed, "embed_tokens.weight"), text_ids], axis=0)
    g.named("Mul", [rows, g.f32(math.sqrt(H))], "inputs_embeds")
    ple = g.op("Gather", [g.const(per_layer, "embed_tokens_per_layer.weight"), text_ids], axis=0)
    ple = g.op("Mul", [ple, g.f32(math.sqrt(PLE))])
    batch_seq = g.op("Slice", [g.op("Shape", ["input_ids"]), g.i64([0]), g.i64([2])])
    g.named("Reshape", [ple, g.op("Concat", [batch_seq, g.i64([L, PLE])], axis=0)], "per_layer_inputs")
    return g.model(
        "embed_tokens",
        [value("input_ids", INT64, ["batch_size", "sequence_length"])],
        [value("inputs_embeds", FLOAT, ["batch_size", "sequence_length", H]),
         value("per_layer_inputs", FLOAT, ["batch_size", "sequence_length", L, PLE])],
    )  # fmt: skip


class Decoder:
    """decoder_model_merged: embeddings + per-layer inputs + mask + positions + KV cache -> logits."""

    def __init__(self, w: Weights, embed: np.ndarray, banned: list[int]) -> None:
        self.g, self.w, self.embed, self.banned = Graph(), w, embed, banned
        g = self.g
        shape = g.op("Shape", ["inputs_embeds"])
        self.B = g.op("Slice", [shape, g.i64([0]), g.i64([1])])
        self.S = g.op("Slice", [shape, g.i64([1]), g.i64([2])])
        self.T = g.op("Slice", [g.op("Shape", ["attention_mask"]), g.i64([1]), g.i64([2])])
        self.past, self.present = [], []

    def masks(self) -> dict[str, str]:
        g = self.g
        past = g.op("Squeeze", [g.op("Sub", [self.T, self.S]), g.i64([0])])
        steps = g.op("Range", [g.i64(0), g.op("Squeeze", [self.S, g.i64([0])]), g.i64(1)])
        q = g.op("Unsqueeze", [g.op("Add", [steps, past]), g.i64([1])])  # [s, 1]
        k = g.op(
            "Unsqueeze",
            [g.op("Range", [g.i64(0), g.op("Squeeze", [self.T, g.i64([0])]), g.i64(1)]), g.i64([0])],
        )
        causal = g.op("LessOrEqual", [k, q])
        window = g.op("Greater", [k, g.op("Sub", [q, g.i64(WINDOW)])])
        padding = g.op("Cast", [g.op("Unsqueeze", ["attention_mask", g.i64([1, 2])])], to=BOOL)  # [b,1,1,T]
        return {"full_attention": g.op("And", [causal, padding]),
                "sliding_attention": g.op("And", [g.op("And", [causal, window]), padding])}  # fmt: skip

    def heads(self, t: str, n: int, hd: int) -> str:
        """[b, s, n*hd] -> [b, n, s, hd]."""
        g = self.g
        shaped = g.op("Reshape", [t, g.op("Concat", [self.B, self.S, g.i64([n, hd])], axis=0)])
        return g.op("Transpose", [shaped], perm=[0, 2, 1, 3])

    def attention(self, i: int, h: str, kind: str, mask: str) -> str:
        g, w, hd = self.g, self.w, HEAD_DIM[kind]
        a = g.rmsnorm(h, H)
        q = self.heads(g.op("MatMul", [a, g.const(w(H, NH * hd))]), NH, hd)
        k = self.heads(g.op("MatMul", [a, g.const(w(H, NKV * hd))]), NKV, hd)
        v = self.heads(g.op("MatMul", [a, g.const(w(H, NKV * hd))]), NKV, hd)
        keys, values = self.cache(i, hd, k, v)
        scores = g.op("MatMul", [q, g.op("Transpose", [keys], perm=[0, 1, 3, 2])])  # GQA by broadcasting
        scores = g.op("Where", [mask, scores, g.f32(-1e9)])
        ctx = g.op(
            "Transpose", [g.op("MatMul", [g.op("Softmax", [scores], axis=-1), values])], perm=[0, 2, 1, 3]
        )
        ctx = g.op("Reshape", [ctx, g.op("Concat", [self.B, self.S, g.i64([NH * hd])], axis=0)])
        return g.op("Add", [h, g.rmsnorm(g.op("MatMul", [ctx, g.const(w(NH * hd, H))]), H)])

    def cache(self, i: int, hd: int, k: str, v: str) -> tuple[str, str]:
        """past_key_values.{i}.key/value in, present.{i}.key/value out (past joined with new)."""
        out = []
        for part, new in (("key", k), ("value", v)):
            past, present = f"past_key_values.{i}.{part}", f"present.{i}.{part}"
            self.past.append(value(past, FLOAT, ["batch_size", NKV, "past_sequence_length", hd]))
            self.present.append(value(present, FLOAT, ["batch_size", NKV, "total_sequence_length", hd]))
            out.append(self.g.named("Concat", [past, new], present, axis=2))
        return out[0], out[1]

    def layer(self, i: int, h: str, kind: str, mask: str, ple_all: str) -> str:
        g, w = self.g, self.w
        h = self.attention(i, h, kind, mask)
        m = g.rmsnorm(h, H)
        up = g.op(
            "Mul", [g.gelu(g.op("MatMul", [m, g.const(w(H, FF))])), g.op("MatMul", [m, g.const(w(H, FF))])]
        )
        h = g.op("Add", [h, g.rmsnorm(g.op("MatMul", [up, g.const(w(FF, H))]), H)])
        gate = g.op(
            "Mul",
            [g.gelu(g.op("MatMul", [h, g.const(w(H, PLE))])), g.op("Gather", [ple_all, g.i64(i)], axis=2)],
        )
        return g.op("Add", [h, g.rmsnorm(g.op("MatMul", [gate, g.const(w(PLE, H))]), H)])

    def per_layer(self) -> str:
        """Gemma4TextModel.project_per_layer_inputs: a projection of the context plus the token's own."""
        g = self.g
        proj = g.op("Mul", [g.op("MatMul", ["inputs_embeds", g.const(self.w(H, L * PLE))]), g.f32(H**-0.5)])
        proj = g.op("Reshape", [proj, g.op("Concat", [self.B, self.S, g.i64([L, PLE])], axis=0)])
        return g.op("Mul", [g.op("Add", [g.rmsnorm(proj, PLE), "per_layer_inputs"]), g.f32(2**-0.5)])

    def logits(self, h: str) -> None:
        """num_logits_to_keep: 0 keeps every position, n > 0 the last n; softcapped at 30. The
        `banned` tokens (control tokens, the end of turn, whitespace) are never likely: greedy
        decoding writes visible text and runs to its budget, as the tiny .task model does."""
        g = self.g
        keep = "num_logits_to_keep"
        start = g.op("Where", [g.op("Greater", [keep, g.i64(0)]),
                               g.op("Sub", [g.op("Squeeze", [self.S, g.i64([0])]), keep]), g.i64(0)])  # fmt: skip
        h = g.op("Slice", [g.rmsnorm(h, H), g.op("Unsqueeze", [start, g.i64([0])]), self.S, g.i64([1])])
        raw = g.op("MatMul", [h, g.const(np.ascontiguousarray(self.embed.T), "lm_head.weight_t")])
        bias = np.zeros(self.embed.shape[0], np.float32)
        bias[self.banned] = -1e4
        raw = g.op("Add", [raw, g.const(bias, "lm_head.ban")])
        g.named("Mul", [g.op("Tanh", [g.op("Div", [raw, g.f32(30.0)])]), g.f32(30.0)], "logits")

    def build(self, vocab: int) -> onnx.ModelProto:
        g = self.g
        h = g.op(
            "Add",
            [
                "inputs_embeds",
                g.op("Gather", [g.const(self.w(MAXPOS, H, scale=0.02)), "position_ids"], axis=0),
            ],
        )
        ple_all, masks = self.per_layer(), self.masks()
        for i, kind in enumerate(LAYER_TYPES):
            h = self.layer(i, h, kind, masks[kind], ple_all)
        self.logits(h)
        inputs = [value("inputs_embeds", FLOAT, ["batch_size", "sequence_length", H]),
                  value("per_layer_inputs", FLOAT, ["batch_size", "sequence_length", L, PLE]),
                  value("attention_mask", INT64, ["batch_size", "total_sequence_length"]),
                  value("position_ids", INT64, ["batch_size", "sequence_length"]),
                  value("num_logits_to_keep", INT64, [])]  # fmt: skip
        outputs = [value("logits", FLOAT, ["batch_size", "logits_length", vocab])]
        return g.model("decoder_model_merged", inputs + self.past, outputs + self.present)


def vision_encoder(w: Weights) -> onnx.ModelProto:
    """pixel_values [n, P, 768] + pixel_position_ids [n, P, 2] (-1: padding) -> image_features
    [valid patches / 9, H] (mean pooling over 3x3 stands in for the vision transformer)."""
    g, k2 = Graph(), POOL * POOL
    hv = g.op("MatMul", ["pixel_values", g.const(w(PATCH_DIM, VISION))])
    positions = g.op("MatMul", [g.op("Cast", ["pixel_position_ids"], to=FLOAT), g.const(w(2, VISION))])
    hv = g.gelu(g.op("Add", [hv, positions]))
    shape = g.op("Shape", ["pixel_values"])
    n, p = g.op("Slice", [shape, g.i64([0]), g.i64([1])]), g.op("Slice", [shape, g.i64([1]), g.i64([2])])
    pooled = g.op(
        "ReduceMean",
        [g.op("Reshape", [hv, g.op("Concat", [n, g.i64([-1, k2, VISION])], axis=0)])],
        axes=[2],
        keepdims=0,
    )
    padding = g.op(
        "ReduceMin",
        [g.op("Cast", [g.op("Equal", ["pixel_position_ids", g.i64(-1)])], to=INT64)],
        axes=[-1],
        keepdims=0,
    )
    tokens = g.op(
        "Div", [g.op("ReduceSum", [g.op("Sub", [g.i64(1), padding]), g.i64([1])], keepdims=1), g.i64(k2)]
    )
    slots = g.op(
        "Unsqueeze",
        [
            g.op("Range", [g.i64(0), g.op("Squeeze", [g.op("Div", [p, g.i64(k2)]), g.i64([0])]), g.i64(1)]),
            g.i64([0]),
        ],
    )
    keep = g.op("Reshape", [g.op("Less", [slots, tokens]), g.i64([-1])])
    chosen = g.op("Compress", [g.op("Reshape", [pooled, g.i64([-1, VISION])]), keep], axis=0)
    g.named("MatMul", [g.rmsnorm(chosen, VISION), g.const(w(VISION, H))], "image_features")
    return g.model(
        "vision_encoder",
        [value("pixel_values", FLOAT, ["num_images", "num_patches", PATCH_DIM]),
         value("pixel_position_ids", INT64, ["num_images", "num_patches", 2])],
        [value("image_features", FLOAT, ["num_image_tokens", H])],
    )  # fmt: skip


def audio_encoder(w: Weights) -> onnx.ModelProto:
    """input_features [b, F, 128] + input_features_mask [b, F] -> audio_features
    [min(ceil(ceil(valid/2)/2), 750), H] (stride-4 subsampling stands in for the conformer)."""
    g = Graph()
    ha = g.gelu(g.op("MatMul", ["input_features", g.const(w(MEL, AUDIO))]))
    frames = g.op("Slice", [g.op("Shape", ["input_features"]), g.i64([1]), g.i64([2])])
    sub = g.op("Slice", [ha, g.i64([0]), frames, g.i64([1]), g.i64([4])])
    valid = g.op("ReduceSum", [g.op("Cast", ["input_features_mask"], to=INT64), g.i64([1])], keepdims=1)
    half = g.op("Div", [g.op("Add", [valid, g.i64(1)]), g.i64(2)])
    tokens = g.op("Min", [g.op("Div", [g.op("Add", [half, g.i64(1)]), g.i64(2)]), g.i64(AUDIO_SEQ)])
    quarter = g.op("Div", [g.op("Add", [frames, g.i64(3)]), g.i64(4)])
    slots = g.op(
        "Unsqueeze", [g.op("Range", [g.i64(0), g.op("Squeeze", [quarter, g.i64([0])]), g.i64(1)]), g.i64([0])]
    )
    keep = g.op("Reshape", [g.op("Less", [slots, tokens]), g.i64([-1])])
    chosen = g.op("Compress", [g.op("Reshape", [sub, g.i64([-1, AUDIO])]), keep], axis=0)
    g.named("MatMul", [g.rmsnorm(chosen, AUDIO), g.const(w(AUDIO, H))], "audio_features")
    return g.model(
        "audio_encoder",
        [value("input_features", FLOAT, ["batch_size", "num_frames", MEL]),
         value("input_features_mask", BOOL, ["batch_size", "num_frames"])],
        [value("audio_features", FLOAT, ["num_audio_tokens", H])],
    )  # fmt: skip

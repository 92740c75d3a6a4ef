"""Turns the Gemma 3 270M GGUF into a Hugging Face style checkpoint that litert-torch can load.

Owns the GGUF → `Gemma3ForCausalLM` tensor-name map, dequantization to float32 safetensors, the
norm fix (llama.cpp stores Gemma norm weights with +1 already added, while HF and litert-torch
compute x*(1+w): subtract 1 from every `*norm.weight`) and a matching `config.json`.
Runs only inside the conversion venv (gguf, numpy, safetensors).
"""

from __future__ import annotations

import json
from pathlib import Path

_GLOBAL_NAMES = {
    "token_embd.weight": "model.embed_tokens.weight",
    "output_norm.weight": "model.norm.weight",
}
_BLOCK_NAMES = {
    "attn_q": "self_attn.q_proj",
    "attn_k": "self_attn.k_proj",
    "attn_v": "self_attn.v_proj",
    "attn_output": "self_attn.o_proj",
    "attn_q_norm": "self_attn.q_norm",
    "attn_k_norm": "self_attn.k_norm",
    "attn_norm": "input_layernorm",
    "post_attention_norm": "post_attention_layernorm",
    "ffn_norm": "pre_feedforward_layernorm",
    "post_ffw_norm": "post_feedforward_layernorm",
    "ffn_gate": "mlp.gate_proj",
    "ffn_up": "mlp.up_proj",
    "ffn_down": "mlp.down_proj",
}


def hf_name(gguf_name: str) -> str:
    """Maps a GGUF tensor name (`blk.3.attn_q.weight`) to its HF name."""
    if gguf_name in _GLOBAL_NAMES:
        return _GLOBAL_NAMES[gguf_name]
    prefix, layer, part, suffix = gguf_name.split(".")
    if prefix != "blk" or part not in _BLOCK_NAMES:
        raise KeyError(f"unexpected GGUF tensor {gguf_name}")
    return f"model.layers.{layer}.{_BLOCK_NAMES[part]}.{suffix}"


def hf_tensors(reader: object) -> dict[str, object]:
    """All tensors as float32 numpy arrays under HF names, norm weights shifted by -1."""
    import numpy as np
    from gguf import quants

    tensors = {}
    for tensor in reader.tensors:
        values = quants.dequantize(tensor.data, tensor.tensor_type).astype(np.float32)
        name = hf_name(tensor.name)
        if name.endswith("norm.weight"):
            values = values - np.float32(1.0)
        tensors[name] = np.ascontiguousarray(values)
    return tensors


def _metadata(reader: object, key: str) -> object:
    """One scalar `gemma3.*` metadata value."""
    return reader.fields[f"gemma3.{key}"].contents()


def hf_config(reader: object) -> dict[str, object]:
    """A Gemma3ForCausalLM config.json matching the GGUF's hyper-parameters."""
    return {
        "architectures": ["Gemma3ForCausalLM"],
        "model_type": "gemma3_text",
        "vocab_size": len(reader.fields["tokenizer.ggml.tokens"].data),
        "hidden_size": int(_metadata(reader, "embedding_length")),
        "intermediate_size": int(_metadata(reader, "feed_forward_length")),
        "num_hidden_layers": int(_metadata(reader, "block_count")),
        "num_attention_heads": int(_metadata(reader, "attention.head_count")),
        "num_key_value_heads": int(_metadata(reader, "attention.head_count_kv")),
        "head_dim": int(_metadata(reader, "attention.key_length")),
        "rms_norm_eps": 1e-6,
        "rope_theta": float(_metadata(reader, "rope.freq_base")),
        "rope_local_base_freq": 10_000.0,
        "sliding_window": int(_metadata(reader, "attention.sliding_window")),
        "max_position_embeddings": int(_metadata(reader, "context_length")),
        "hidden_activation": "gelu_pytorch_tanh",
        "query_pre_attn_scalar": int(_metadata(reader, "attention.key_length")),
        "pad_token_id": 0,
        "eos_token_id": 1,
        "bos_token_id": 2,
        "tie_word_embeddings": True,
        "torch_dtype": "float32",
    }


def write_checkpoint(reader: object, out_dir: Path) -> None:
    """Writes model.safetensors and config.json into `out_dir`."""
    from safetensors.numpy import save_file

    out_dir.mkdir(parents=True, exist_ok=True)
    save_file(hf_tensors(reader), str(out_dir / "model.safetensors"), metadata={"format": "pt"})
    config = json.dumps(hf_config(reader), indent=2, sort_keys=True)
    (out_dir / "config.json").write_text(config + "\n", encoding="utf-8")

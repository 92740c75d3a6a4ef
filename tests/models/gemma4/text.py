"""The tiny model's tokenizer (a 384-piece byte-level BPE trained on seeded text), its chat
template and its JSON files (config, generation, processor and tokenizer configs), with the
real E2B's special tokens and preprocessing settings."""

from __future__ import annotations

import json
from pathlib import Path

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

from tests.models.gemma4 import sessions as s

SPECIALS = (
    "<pad>", "<eos>", "<bos>", "<unk>", "<mask>", "<|turn>", "<turn|>", "<|channel>", "<channel|>", "<|think|>",
    "<|image>", "<image|>", "<|image|>", "<|audio>", "<audio|>", "<|audio|>", "<|video|>",
)  # fmt: skip
CORPUS = ("Describe this image and this audio clip.", "user model system hello world",
          "The quick brown fox jumps over the lazy dog.")  # fmt: skip
# Gemma 4's own chat template puts an image or audio clip's token in the user turn, before its text.
CHAT_TEMPLATE = (
    "{{ bos_token }}{% for m in messages %}<|turn>{{ m['role'] }}\n"
    "{% if m['content'] is string %}{{ m['content'] }}{% else %}{% for c in m['content'] %}"
    "{% if c['type'] == 'image' %}<|image|>{% elif c['type'] == 'audio' %}<|audio|>"
    "{% elif c['type'] == 'text' %}{{ c['text'] }}{% endif %}"
    "{% endfor %}{% endif %}<turn|>\n{% endfor %}{% if add_generation_prompt %}<|turn>model\n{% endif %}"
)


def tokenizer() -> Tokenizer:
    tok = Tokenizer(models.BPE(unk_token=None))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=384, special_tokens=list(SPECIALS), initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )  # fmt: skip
    tok.train_from_iterator(list(CORPUS) * 20, trainer)
    return tok


def banned(tok: Tokenizer) -> list[int]:
    """Tokens the tiny model never writes: every special token, every whitespace-only piece and
    every piece that is not whole characters alone (a lone byte of a multi-byte character)."""
    pieces = [tok.id_to_token(i) for i in range(tok.get_vocab_size())]
    text = [tok.decode([i]) for i in range(len(pieces))]
    return [
        i for i, piece in enumerate(pieces) if piece in SPECIALS or not text[i].strip() or "\ufffd" in text[i]
    ]


def write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


def tokenizer_config() -> dict:
    return {
        "tokenizer_class": "GemmaTokenizer", "bos_token": "<bos>", "eos_token": "<eos>", "pad_token": "<pad>",
        "unk_token": "<unk>", "mask_token": "<mask>", "padding_side": "left",
        "sot_token": "<|turn>", "eot_token": "<turn|>", "soc_token": "<|channel>", "eoc_token": "<channel|>",
        "think_token": "<|think|>", "boi_token": "<|image>", "eoi_token": "<image|>", "image_token": "<|image|>",
        "boa_token": "<|audio>", "eoa_token": "<audio|>", "audio_token": "<|audio|>",
        "model_max_length": 4096, "chat_template": CHAT_TEMPLATE,
    }  # fmt: skip


def config(vocab: int, ids: dict[str, int]) -> dict:
    text = {
        "model_type": "gemma4_text", "vocab_size": vocab, "hidden_size": s.H, "intermediate_size": s.FF,
        "num_hidden_layers": s.L, "num_attention_heads": s.NH, "num_key_value_heads": s.NKV,
        "head_dim": s.HEAD_DIM["sliding_attention"], "global_head_dim": s.HEAD_DIM["full_attention"],
        "hidden_size_per_layer_input": s.PLE, "vocab_size_per_layer_input": vocab, "num_kv_shared_layers": 0,
        "layer_types": list(s.LAYER_TYPES), "sliding_window": s.WINDOW, "max_position_embeddings": s.MAXPOS,
        "final_logit_softcapping": 30.0, "pad_token_id": ids["<pad>"], "bos_token_id": ids["<bos>"],
        "eos_token_id": [ids["<eos>"], ids["<turn|>"]], "tie_word_embeddings": True,
    }  # fmt: skip
    return {
        "architectures": ["Gemma4ForConditionalGeneration"], "model_type": "gemma4", "text_config": text,
        "vision_config": {"model_type": "gemma4_vision", "hidden_size": s.VISION, "patch_size": s.PATCH,
                          "pooling_kernel_size": s.POOL, "num_hidden_layers": 1},
        "audio_config": {"model_type": "gemma4_audio", "hidden_size": s.AUDIO, "output_proj_dims": s.AUDIO,
                         "num_hidden_layers": 1},
        "image_token_id": ids["<|image|>"], "audio_token_id": ids["<|audio|>"], "video_token_id": ids["<|video|>"],
        "boi_token_id": ids["<|image>"], "eoi_token_id": ids["<image|>"], "boa_token_id": ids["<|audio>"],
        "eoa_token_index": ids["<audio|>"], "tie_word_embeddings": True,
        "transformers.js_config": {"use_external_data_format": True},
    }  # fmt: skip


def processor_config() -> dict:
    image = {"image_processor_type": "Gemma4ImageProcessor", "patch_size": s.PATCH, "max_soft_tokens": 280,
             "pooling_kernel_size": s.POOL, "do_resize": True, "resample": 3, "do_rescale": True,
             "rescale_factor": 1 / 255, "do_convert_rgb": True}  # fmt: skip
    audio = {"feature_extractor_type": "Gemma4AudioFeatureExtractor", "feature_size": s.MEL,
             "sampling_rate": 16000, "frame_length": 320, "hop_length": 160, "fft_length": 512,
             "min_frequency": 0.0, "max_frequency": 8000.0, "mel_floor": 0.001, "preemphasis": 0.0,
             "preemphasis_htk_flavor": True, "padding_value": 0.0, "padding_side": "right",
             "return_attention_mask": True}  # fmt: skip
    return {"processor_class": "Gemma4Processor", "image_seq_length": 280, "audio_seq_length": s.AUDIO_SEQ,
            "audio_ms_per_token": 40, "image_processor": image, "feature_extractor": audio}  # fmt: skip


def write_files(out: Path, tok: Tokenizer) -> None:
    """Every file but the ONNX sessions."""
    ids = {t: tok.token_to_id(t) for t in SPECIALS}
    tok.save(str(out / "tokenizer.json"))
    (out / "chat_template.jinja").write_text(CHAT_TEMPLATE)
    write_json(out / "tokenizer_config.json", tokenizer_config())
    write_json(out / "config.json", config(tok.get_vocab_size(), ids))
    gen = {"bos_token_id": ids["<bos>"], "eos_token_id": [ids["<eos>"], ids["<turn|>"]],
           "pad_token_id": ids["<pad>"], "do_sample": False}  # fmt: skip
    write_json(out / "generation_config.json", gen)
    write_json(out / "preprocessor_config.json", {"processor_class": "Gemma4Processor"})
    write_json(out / "processor_config.json", processor_config())

"""Rebuilds Gemma 3's SentencePiece `tokenizer.model` from the vocabulary in a GGUF file.

Owns the undoing of llama.cpp's tokenizer changes: a GGUF has no tokenizer.model, only `tokens`,
`scores` and `token_type`; `<unk>` goes back to UNKNOWN, `<start_of_turn>`/`<end_of_turn>` back
to USER_DEFINED, and " " back to "▁" inside user-defined pieces. The result is a BPE model with
byte fallback, identity normalizer and no dummy prefix. Runs only inside the conversion venv
(gguf, sentencepiece, protobuf).
"""

from __future__ import annotations

CAPITAL_PROMPT = "The capital of France is"
CAPITAL_IDS = [818, 5279, 529, 7001, 563]
_TURN_PIECES = {"<start_of_turn>": 105, "<end_of_turn>": 106}
_SPACE = "\u2581"


def _field(reader: object, key: str) -> list:
    """The contents of a GGUF metadata array (or scalar) field."""
    return reader.fields[key].contents()


def _piece_type(text: str, gguf_type: int, index: int, unk_id: int, types: object) -> int:
    """SentencePiece type for one piece (GGUF token types use SentencePiece's numbering)."""
    if index == unk_id:
        return types.UNKNOWN
    if text in _TURN_PIECES:
        return types.USER_DEFINED
    return gguf_type


def _spec(proto: object, size: int, ids: dict[str, int]) -> None:
    """Fills the trainer and normalizer specs of Gemma's tokenizer."""
    trainer = proto.trainer_spec
    trainer.model_type = trainer.BPE
    trainer.vocab_size = size
    trainer.byte_fallback = True
    trainer.pad_id, trainer.eos_id, trainer.bos_id, trainer.unk_id = (
        ids["pad"],
        ids["eos"],
        ids["bos"],
        ids["unknown"],
    )
    trainer.pad_piece, trainer.eos_piece, trainer.bos_piece, trainer.unk_piece = (
        "<pad>",
        "<eos>",
        "<bos>",
        "<unk>",
    )
    normalizer = proto.normalizer_spec
    normalizer.name = "identity"
    normalizer.add_dummy_prefix = False
    normalizer.remove_extra_whitespaces = False
    normalizer.escape_whitespaces = True


def _special_ids(reader: object) -> dict[str, int]:
    """pad/eos/bos/unknown ids as the GGUF declares them."""
    names = ("pad", "eos", "bos", "unknown")
    keys = {"pad": "padding", "eos": "eos", "bos": "bos", "unknown": "unknown"}
    return {n: int(_field(reader, f"tokenizer.ggml.{keys[n]}_token_id")) for n in names}


def sentencepiece_model(reader: object) -> bytes:
    """Serialized SentencePiece ModelProto rebuilt from a gguf.GGUFReader."""
    from sentencepiece import sentencepiece_model_pb2 as sp_pb2

    tokens = _field(reader, "tokenizer.ggml.tokens")
    scores = _field(reader, "tokenizer.ggml.scores")
    token_types = _field(reader, "tokenizer.ggml.token_type")
    ids = _special_ids(reader)
    proto = sp_pb2.ModelProto()
    types = sp_pb2.ModelProto.SentencePiece
    for index, (text, score, gguf_type) in enumerate(zip(tokens, scores, token_types, strict=True)):
        kind = _piece_type(text, int(gguf_type), index, ids["unknown"], types)
        if kind == types.USER_DEFINED:
            text = text.replace(" ", _SPACE)
        proto.pieces.add(piece=text, score=float(score), type=kind)
    _spec(proto, len(tokens), ids)
    return proto.SerializeToString()


def check_tokenizer(model: bytes) -> None:
    """Raises if the rebuilt tokenizer does not encode like Gemma 3's own."""
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_proto=model)
    got = sp.encode(CAPITAL_PROMPT)
    if got != CAPITAL_IDS:
        raise AssertionError(f"{CAPITAL_PROMPT!r} -> {got}, expected {CAPITAL_IDS}")
    for piece, expected in _TURN_PIECES.items():
        if sp.encode(piece) != [expected]:
            raise AssertionError(f"{piece} -> {sp.encode(piece)}, expected [{expected}]")
    if sp.bos_id() != 2 or sp.eos_id() != 1 or sp.pad_id() != 0 or sp.unk_id() != 3:
        raise AssertionError("special ids differ from Gemma's pad/eos/bos/unk = 0/1/2/3")

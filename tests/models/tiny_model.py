"""Builds the tiny random Gemma-3-architecture model: its tokenizer and its seeded decoder.

Owns the tiny recipe: a 1024-piece SentencePiece BPE tokenizer trained on seeded generated text
(Gemma's special ids: pad/eos/bos/unk = 0/1/2/3, plus <start_of_turn>/<end_of_turn>), and a
litert-torch Gemma 3 `Decoder` (2 layers, width 64, 2 heads of 32) with seeded random weights whose
embedding rows for every non-normal piece are zero, so greedy decoding never picks a stop, control
or byte token and always runs to maxTokens. Runs only inside the conversion venv (torch,
sentencepiece, litert-torch); never imported by the app.
"""

from __future__ import annotations

import io
import random
from collections.abc import Iterator

import litert_export

VOCAB_SIZE = 1024
SEED = 20250101
POST_NORM_GAIN = 32.0
TURN_TOKENS = ("<start_of_turn>", "<end_of_turn>")
_SENTENCES = 20_000
_ENGLISH_WORDS = (
    "the of and to in is you that it he was for on are as with his they at be this have from or "
    "one had by word but not what all were we when your can said there use an each which she do "
    "how their if will up other about out many then them these so some her would make like him "
    "into time has look two more write go see number no way could people my than first water been "
    "call who oil its now find long down day did get come made may part hello world model answer "
    "question user capital France Paris city country language small test token stream"
)


def _made_up_word(rng: random.Random) -> str:
    """A pronounceable nonsense word of one to four syllables."""
    syllables = rng.randint(1, 4)
    return "".join(rng.choice("bdfgklmnprstvz") + rng.choice("aeiou") for _ in range(syllables))


def training_text(seed: int = SEED) -> Iterator[str]:
    """Yields seeded sentences mixing common English words with made-up ones."""
    rng = random.Random(seed)
    lexicon = _ENGLISH_WORDS.split() + sorted({_made_up_word(rng) for _ in range(3000)})
    weights = [1.0 / (rank + 1) for rank in range(len(lexicon))]
    for _ in range(_SENTENCES):
        words = rng.choices(lexicon, weights, k=rng.randint(4, 16))
        digits = str(rng.randint(0, 9999)) if rng.random() < 0.2 else ""
        sentence = " ".join(words + ([digits] if digits else []))
        yield sentence[0].upper() + sentence[1:] + rng.choice(".!?,;:")


def train_tokenizer() -> bytes:
    """Trains the 1024-piece BPE SentencePiece model and returns its serialized bytes."""
    import sentencepiece as spm

    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=training_text(),
        model_writer=model,
        model_type="bpe",
        vocab_size=VOCAB_SIZE,
        pad_id=0,
        eos_id=1,
        bos_id=2,
        unk_id=3,
        pad_piece="<pad>",
        eos_piece="<eos>",
        bos_piece="<bos>",
        unk_piece="<unk>",
        user_defined_symbols=list(TURN_TOKENS),
        byte_fallback=True,
        normalization_rule_name="identity",
        add_dummy_prefix=False,
        remove_extra_whitespaces=False,
        character_coverage=1.0,
        num_threads=1,
        shuffle_input_sentence=False,
        minloglevel=2,
    )
    return model.getvalue()


def non_normal_ids(tokenizer: bytes) -> list[int]:
    """Ids of control, unknown, user-defined and byte pieces (everything but NORMAL)."""
    from sentencepiece import sentencepiece_model_pb2 as sp_pb2

    proto = sp_pb2.ModelProto.FromString(tokenizer)
    normal = sp_pb2.ModelProto.SentencePiece.NORMAL
    return [i for i, piece in enumerate(proto.pieces) if piece.type != normal]


def decoder_config() -> object:
    """Gemma 3 270M's config, shrunk to 2 layers of width 64 with 2 heads of 32 (1 KV head)."""
    litert_export.alias_tensorflow_schema()
    from litert_torch.generative.examples.gemma3 import decoder

    config = decoder.get_decoder_config_270m()
    config.vocab_size = VOCAB_SIZE
    config.num_layers = 2
    config.max_seq_len = 256
    config.embedding_dim = 64
    config.embedding_scale = config.embedding_dim**0.5
    config.block_configs = config.block_configs[: config.num_layers]
    for block in config.block_configs:
        block.attn_config.num_heads = 2
        block.attn_config.head_dim = 32
        block.attn_config.num_query_groups = 1
        block.ff_config.intermediate_size = 256
    return config


def build_decoder(silent_ids: list[int]) -> object:
    """The seeded random Decoder, with zero embedding (and so zero logit) rows for `silent_ids`.

    The post-attention and post-feed-forward norm gains are raised to POST_NORM_GAIN: with the
    tied embedding, a stock random init keeps the input token dominant in the residual stream and
    greedy decoding repeats the last prompt token forever; this way the stream varies.
    """
    import torch

    config = decoder_config()
    from litert_torch.generative.examples.gemma3 import decoder

    torch.manual_seed(SEED)
    model = decoder.Decoder(config, mask_cache_size=0)
    with torch.no_grad():
        model.tok_embedding.weight[silent_ids] = 0.0
        for block in model.transformer_blocks:
            block.post_atten_norm.weight.fill_(POST_NORM_GAIN - 1.0)
            block.ff.post_ff_norm.weight.fill_(POST_NORM_GAIN - 1.0)
    model.eval()
    return model

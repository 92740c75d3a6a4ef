"""A `.litertlm` from one of the test models' `.task` bundles, for the LiteRT-LM probe (#17).

The `.task` zip already holds what LiteRT-LM wants: the `.tflite` (TF_LITE_PREFILL_DECODE) and the
SentencePiece tokenizer (TOKENIZER_MODEL). `litert-lm-builder` (PyPI, pinned to match the
@litert-lm/core runtime) packs them with an LlmMetadata text proto (Gemma 3 model type, the same
start/stop tokens and KV cache size as the `.task`). The builder lives in its own venv under
$TABULA_CACHE, never in the app's .venv. Output is not byte-reproducible: the builder stamps a
uuid and a creation time into the file's system metadata.

Run: .venv/bin/python bench/litert_model.py --model tiny --out /tmp/tiny.litertlm
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILDER = "litert-lm-builder==0.17.1"  # the 0.17 line, like @litert-lm/core 0.17.1
CACHE = Path(os.environ.get("TABULA_CACHE", Path.home() / ".cache" / "tabula"))
METADATA = """start_token { token_str: "<bos>" }
stop_tokens { token_str: "<eos>" }
stop_tokens { token_str: "<end_of_turn>" }
max_num_tokens: 256
llm_model_type { gemma3 {} }
"""


def builder() -> Path:
    """The litert-lm-builder CLI, installed into its own venv on first use."""
    home = CACHE / f"venv-{BUILDER.replace('==', '-')}"
    cli = home / "bin" / "litert-lm-builder"
    if not cli.is_file():
        venv.create(home, with_pip=True)
        subprocess.run([home / "bin" / "python", "-m", "pip", "install", "--quiet", BUILDER], check=True)
    return cli


def task_path(which: str) -> Path:
    """The cached `.task` test model (built on first use by tests/models/build_models.py)."""
    script = ROOT / "tests" / "models" / "build_models.py"
    done = subprocess.run([sys.executable, script, "--print-path", which], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"could not build the {which} test model:\n{done.stderr}")
    return Path(done.stdout.strip())


def convert(task: Path, out: Path) -> Path:
    """Unpack `task` and pack its .tflite and tokenizer into `out` (a .litertlm)."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        with zipfile.ZipFile(task) as bundle:
            bundle.extractall(work, ["TF_LITE_PREFILL_DECODE", "TOKENIZER_MODEL"])
        (work / "llm.pbtxt").write_text(METADATA)
        args = [builder(), "system_metadata", "--str", "Authors", "Tabula test model",
                "llm_metadata", "--path", work / "llm.pbtxt",
                "tflite_model", "--path", work / "TF_LITE_PREFILL_DECODE", "--model_type", "prefill_decode",
                "sp_tokenizer", "--path", work / "TOKENIZER_MODEL",
                "output", "--path", out.resolve()]  # fmt: skip
        subprocess.run(args, check=True, capture_output=True, text=True)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=("tiny", "real"), default="tiny")
    parser.add_argument("--task", type=Path, help="a .task file instead of the cached test model")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    print(convert(args.task or task_path(args.model), args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())

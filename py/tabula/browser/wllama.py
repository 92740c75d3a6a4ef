"""WllamaEngine (engine.ports.Engine): GGUF models on the CPU, behind the engine host protocol
(pwa/js/engine_wllama.js, through browser/engine_host.py).

llama.cpp compiled to wasm (wllama 3.13) runs in its own dedicated worker, as MediaPipe does
(wllama starts its computing worker inside it), so both engines look the same to Python; where
the browser lacks wasm JSPI or Memory64 (Safari, every iPad browser) wllama's compat build runs
(`info["compat"]`). The app renders the prompt with the model family's template
(engine/prompt.py) and wllama completes it raw. Tokens are counted by llama.cpp itself (wllama 3
has no tokenizer call: the host reads the text as a prompt and keeps it for the answer). Like
MediaPipe's, `maxTokens` counts prompt + answer: the answer may take what the prompt leaves.
The stored copy is read straight from its OPFS chunk files (one Blob over them, never a copy);
the library and its wasm are imported only when a GGUF model is loaded. A load error is a
damaged file (INVALID_MODEL) unless its text says more.
"""

from __future__ import annotations

from tabula.browser._js import absolute
from tabula.browser.engine_host import HostedEngine
from tabula.browser.mediapipe import model_source
from tabula.browser.protocol import Load
from tabula.engine.errors import EngineError, Problem


class WllamaEngine(HostedEngine):
    """A GGUF model loaded in wllama's worker."""

    _answer = ""  # the last answer's text: its tokens are `generated`
    _counted = ("", 0)  # the last text counted and its tokens (a prompt is counted before and after)

    @classmethod
    async def create(
        cls, wllama_path: str, url: str, stored: str, label: str, options: dict[str, float | int]
    ) -> WllamaEngine:
        """Load `stored` (its id) or the embedded model at `url` with `options`; raise
        EngineError on any failure (a damaged file: INVALID_MODEL)."""
        wanted = {"maxTokens": int(options["maxTokens"]), "randomSeed": int(options.get("randomSeed", 0))}
        load = Load(absolute(wllama_path), model_source(url, stored), wanted)
        engine = await cls.start("wllama", load, label, Problem.INVALID_MODEL)
        engine.options = options
        trained = int(engine.info["nCtxTrain"])
        if 0 < trained < wanted["maxTokens"]:  # the same refusal as MediaPipe's: create_fitting retries
            await engine.close()
            detail = f"larger than the maximum cache size supported: {wanted['maxTokens']} > {trained}"
            raise EngineError(Problem.CONTEXT_TOO_LARGE, detail)
        return engine

    @property
    def threads(self) -> int:
        return int(self.info["threads"])  # 1: no SharedArrayBuffer (not isolated, or WebKit)

    async def generate(
        self, prompt: str, options: dict | None = None, media: tuple = (), exact: bool = False
    ) -> str:
        """Complete `prompt` within maxTokens (prompt + answer), greedily if `exact`. A prompt that
        leaves no room for an answer is refused before it runs. `media` is ignored: a GGUF here
        reads text only."""
        room = int(self.options["maxTokens"]) - await self.count_tokens(prompt)
        if room < 1:
            raise EngineError(Problem.PROMPT_TOO_LONG, f"input is too long: {room} tokens left")
        sampling = {
            "temperature": 0 if exact else self.options["temperature"],
            "topK": self.options["topK"],
            "nPredict": room,
        }
        self._answer = await super().generate(prompt, sampling)
        return self._answer

    async def count_tokens(self, text: str) -> int:
        """Tokens in `text`; the answer just written is not read again (llama.cpp counted the
        tokens it wrote, and reading it as a prompt would cost as long as a document), nor the
        prompt counted last: whether an answer ran to its budget is judged with its prompt's
        count (engine/jobs.py), and on WebKit's build llama.cpp took 25 s to read those 55
        tokens again after a 1,024-token answer, long enough to be declared stalled."""
        if text and text == self._answer and self.generated is not None:
            return self.generated
        if text and text == self._counted[0]:
            return self._counted[1]  # reading it again right after an answer took 25 s on WebKit
        tokens = await super().count_tokens(text)
        self._counted = (text, tokens)
        return tokens

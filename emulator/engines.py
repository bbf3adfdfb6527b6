"""Text generators behind the routes: `scripted` (deterministic words) and `llama` (SmolLM2).

An engine turns a checked `Call` into text pieces through `generate`, an async iterator,
and fills an `Outcome` (finish reason and token counts) as it goes. Both engines yield
one piece per token, so a stream sends one chunk per token.
"""

from __future__ import annotations

import asyncio
import codecs
import queue
import random
import threading
from collections.abc import AsyncGenerator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from emulator.wire import TEXT, Call


@dataclass
class Outcome:
    """What a generation reports besides its text."""

    finish_reason: str = "stop"
    prompt_tokens: int = 0
    completion_tokens: int = 0


@dataclass(frozen=True)
class Pace:
    """Scripted-engine knobs a request may override by header; llama ignores them."""

    token_delay: float = 0.0
    reply_tokens: int = 40


class Engine(Protocol):
    """What the routes need from an engine."""

    model_name: str
    provider: str

    def load(self) -> None:
        """Prepare the engine; blocking, runs once in a worker thread at startup."""

    def check(self, call: Call) -> None:
        """Raise ContextOverflow if the request cannot fit; runs before any response."""

    def generate(self, call: Call, outcome: Outcome, pace: Pace) -> AsyncGenerator[str, None]:
        """Yield text pieces, one per token, and fill `outcome`; close it to stop early."""


# ----- scripted ------------------------------------------------------------------------

# One line each: adjectives, nouns, verbs, sentence openers.
_VOCABULARY = """
quiet bright small gentle useful simple careful steady clear warm
river garden answer library window engine question teacher market idea
carries finds builds explains follows keeps opens shows reaches shapes
Meanwhile Then Often Still Later
"""
_ADJECTIVES, _NOUNS, _VERBS, _LINKS = (line.split() for line in _VOCABULARY.strip().splitlines())
_PLACES = ("across the valley", "near the station", "inside the old house", "along the coast")


def _sentence(rng: random.Random) -> list[str]:
    words = []
    if rng.random() < 0.4:
        words.append(rng.choice(_LINKS) + ",")
    words += ["the", rng.choice(_ADJECTIVES), rng.choice(_NOUNS), rng.choice(_VERBS)]
    words += ["a", rng.choice(_ADJECTIVES), rng.choice(_NOUNS)]
    words += rng.choice(_PLACES).split()
    words[0] = words[0][0].upper() + words[0][1:]
    words[-1] += "."
    return words


def script(call: Call, reply_tokens: int) -> list[str]:
    """The scripted reply as tokens: a short quote of the last user text, then sentences.

    The generator is seeded by (seed, the whole input text), so the same request gives
    the same words; tokens are words with their leading space.
    """
    rng = random.Random(f"{call.seed}\x1f{call.input_text()}")
    quoted = call.last_user_text().split()
    words = ["You", "said:"]
    if quoted:
        more = "..." if len(quoted) > 8 else ""
        words += [f'"{quoted[0]}', *quoted[1:8]]
        words[-1] += f'{more}".'
    else:
        words += ["nothing."]
    while len(words) < reply_tokens:
        words += _sentence(rng)
    words = words[:reply_tokens]
    return [words[0], *(" " + word for word in words[1:])] if words else []


def cut_tokens(tokens: list[str], stop: tuple[str, ...], max_tokens: int) -> tuple[list[str], str]:
    """Apply stop strings and max_tokens to a token list; return (tokens, finish_reason)."""
    text = "".join(tokens)
    cuts = [index for index in (text.find(s) for s in stop) if index >= 0]
    limit, finish = len(text), "stop"
    if cuts:
        limit = min(cuts)
    kept: list[str] = []
    used = 0
    for token in tokens:
        if used >= limit:
            break
        if len(kept) == max_tokens:
            return kept, "length"
        kept.append(token[: limit - used])
        used += len(token)
    return kept, finish


class ScriptedEngine:
    """Deterministic words at a chosen pace: for tests, demos and benchmarks."""

    model_name = "scripted-emulator"
    provider = "local"

    def load(self) -> None:
        """Nothing to load."""

    def check(self, call: Call) -> None:
        """Any request fits."""

    async def generate(self, call: Call, outcome: Outcome, pace: Pace) -> AsyncGenerator[str, None]:
        """Yield the scripted tokens, sleeping `pace.token_delay` before each one."""
        tokens, outcome.finish_reason = cut_tokens(
            script(call, pace.reply_tokens), call.stop, call.max_tokens
        )
        outcome.prompt_tokens = len(call.input_text().split())
        for token in tokens:
            # sleep(0) still yields, so a long fast stream never starves other requests.
            await asyncio.sleep(pace.token_delay)
            outcome.completion_tokens += 1
            yield token


# ----- llama ---------------------------------------------------------------------------


class LlamaEngine:
    """SmolLM2-135M-Instruct through llama-cpp-python, `slots` generations at once.

    Each slot is its own `Llama` object (weights mapped once from the same file, a KV cache
    each), taken by one generation's thread and handed back when it ends: a `Llama` is never
    used by two threads at once. `check` tokenizes with one more small instance that only
    the event loop's thread touches.
    """

    model_name = "SmolLM2-135M-Instruct"
    provider = "HuggingFaceTB"

    def __init__(
        self, model_path: Path, n_ctx: int = 2048, n_threads: int = 1, slots: int = 1
    ) -> None:
        if slots < 1:
            raise ValueError("slots must be at least 1")
        self.model_path, self.n_ctx = model_path, n_ctx
        self.n_threads, self.slots = n_threads, slots
        self._checker: Any = None
        self._template: Any = None
        self._is_end_of_generation: Any = None
        # Free instances. A cancelled stream's thread may still be finishing its last token
        # when the gate admits the next generation; that thread then waits here briefly.
        self._free: queue.SimpleQueue[Any] = queue.SimpleQueue()

    def load(self) -> None:
        """Load the slots' instances, the checker and the chat template (blocking).

        All at start and one after the other: an instance takes about 0.1 s, and
        llama-cpp-python silences its load by redirecting the process's stdout and stderr,
        which two threads loading at once would tangle.
        """
        from llama_cpp import llama_vocab_is_eog
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        for _ in range(self.slots):
            self._free.put(self._new_instance(self.n_ctx))
        # Tokenizing needs no context: 32 positions keep this instance at about 20 MB.
        llm = self._checker = self._new_instance(32)
        template = llm.metadata.get("tokenizer.chat_template")
        if not template:
            raise RuntimeError(f"{self.model_path} has no chat template")
        vocab_token = llm._model.token_get_text
        self._template = Jinja2ChatFormatter(
            template=template,
            eos_token=vocab_token(llm.token_eos()),
            bos_token=vocab_token(llm.token_bos()),
            stop_token_ids=[llm.token_eos()],
        )
        self._is_end_of_generation = llama_vocab_is_eog

    def _new_instance(self, n_ctx: int) -> Any:
        from llama_cpp import Llama

        batch = min(n_ctx, 512)
        return Llama(
            model_path=str(self.model_path),
            n_ctx=n_ctx,
            n_batch=batch,
            n_ubatch=batch,
            n_threads=self.n_threads,
            n_threads_batch=self.n_threads,
            verbose=False,
            seed=0,
        )

    def check(self, call: Call) -> None:
        """Refuse prompts that fill the context window (D-L2: prompt + max_tokens <= n_ctx)."""
        prompt_tokens = len(_tokens(self._checker, self._prompt(call)[0]))
        if prompt_tokens >= self.n_ctx:
            raise ContextOverflow(prompt_tokens, self.n_ctx)

    async def generate(self, call: Call, outcome: Outcome, pace: Pace) -> AsyncGenerator[str, None]:
        """Run the blocking generation in a thread and yield its pieces as they come."""
        cancel = threading.Event()
        async for piece in _iterate_in_thread(lambda: self._run(call, outcome, cancel), cancel):
            yield piece

    def _run(self, call: Call, outcome: Outcome, cancel: threading.Event) -> Iterator[str]:
        llm = self._free.get()
        try:
            yield from self._sample(llm, call, outcome, cancel)
        finally:
            self._free.put(llm)

    def _sample(
        self, llm: Any, call: Call, outcome: Outcome, cancel: threading.Event
    ) -> Iterator[str]:
        prompt, template_stops = self._prompt(call)
        stops = [*call.stop, *template_stops]
        prompt_ids = _tokens(llm, prompt)
        outcome.prompt_tokens = len(prompt_ids)
        # D-L2: prompt + max_tokens must fit the context; longer asks end with "length".
        max_tokens = min(call.max_tokens, self.n_ctx - len(prompt_ids))
        llm.set_seed(call.seed if call.seed is not None else random.randrange(2**31))
        # Forget the previous prompt: reusing its KV cache changes the logits slightly,
        # and then the same seed would no longer give the same text.
        llm.reset()
        tokens = llm.generate(prompt_ids, reset=True, **_sampling(call))
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        held, outcome.finish_reason = "", "length"
        for token in tokens:
            if self._is_end_of_generation(llm._model.vocab, token):
                outcome.finish_reason = "stop"
                break
            outcome.completion_tokens += 1
            held += decoder.decode(llm.detokenize([token]))
            cut = _first_stop(held, stops)
            if cut is not None:
                held, outcome.finish_reason = held[:cut], "stop"
                break
            ready, held = _hold_back(held, stops)
            if ready:
                yield ready
            if outcome.completion_tokens >= max_tokens or cancel.is_set():
                break
        if held:
            yield held

    def _prompt(self, call: Call) -> tuple[str, list[str]]:
        if call.kind == TEXT:
            return call.prompt, []
        messages = [{"role": m.role, "content": m.content} for m in call.messages]
        formatted = self._template(messages=messages)
        stop = formatted.stop if isinstance(formatted.stop, list) else [formatted.stop]
        return formatted.prompt, [s for s in stop if s]


def _tokens(llm: Any, prompt: str) -> list[int]:
    """The prompt's token ids, tokenized by `llm`."""
    # add_bos=True adds BOS only if the model asks for it (SmolLM2 does not).
    tokens = llm.tokenize(prompt.encode(), add_bos=True, special=True)
    return tokens or [llm.token_bos()]  # an empty prompt still needs one token


def _sampling(call: Call) -> dict[str, float]:
    """llama.cpp sampling settings; fixed choices are listed in emulator/README.md."""
    return {
        "temp": 0.7 if call.temperature is None else call.temperature,
        "top_p": 1.0 if call.top_p is None else call.top_p,
        "top_k": 40,
        "min_p": 0.05,
        "repeat_penalty": 1.1,
        "frequency_penalty": call.frequency_penalty or 0.0,
        "presence_penalty": call.presence_penalty or 0.0,
    }


def _first_stop(text: str, stops: list[str]) -> int | None:
    """Where the earliest stop string starts in `text`, if any."""
    found = [index for index in (text.find(stop) for stop in stops) if index >= 0]
    return min(found) if found else None


def _hold_back(text: str, stops: list[str]) -> tuple[str, str]:
    """Split `text` into what is safe to send and a tail that may begin a stop string."""
    keep = 0
    for stop in stops:
        for size in range(min(len(stop) - 1, len(text)), keep, -1):
            if text.endswith(stop[:size]):
                keep = size
                break
    return text[: len(text) - keep], text[len(text) - keep :]


class ContextOverflow(ValueError):
    """The prompt alone fills the model's context window."""

    def __init__(self, prompt_tokens: int, n_ctx: int) -> None:
        super().__init__(f"The prompt is {prompt_tokens} tokens; the context window is {n_ctx}.")


_END = object()


async def _iterate_in_thread(
    make: Callable[[], Iterator[str]], cancel: threading.Event
) -> AsyncGenerator[str, None]:
    """Drive a blocking iterator in a thread; items reach the loop as they are produced."""
    loop = asyncio.get_running_loop()
    items: asyncio.Queue[tuple[Any, BaseException | None]] = asyncio.Queue()

    def put(item: Any, error: BaseException | None = None) -> None:
        try:
            loop.call_soon_threadsafe(items.put_nowait, (item, error))
        except RuntimeError:  # the loop closed under us (shutdown); nobody is listening
            cancel.set()

    def work() -> None:
        try:
            for item in make():
                put(item)
                if cancel.is_set():
                    break
        except BaseException as exc:  # handed to the loop, re-raised there
            put(_END, exc)
        else:
            put(_END)

    threading.Thread(target=work, name="llama-generate", daemon=True).start()
    try:
        while True:
            item, error = await items.get()
            if error is not None:
                raise error
            if item is _END:
                return
            yield item
    finally:
        cancel.set()

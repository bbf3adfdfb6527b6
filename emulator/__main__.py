"""Command line: `python -m emulator --engine scripted|llama --port 8765 --api-key KEY`."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

import uvicorn

from emulator import quota
from emulator.app import Settings, create_app
from emulator.fetch_model import DEFAULT_MODEL_PATH
from emulator.streams import ConnectionCut

log = logging.getLogger("emulator")
KEY_VARIABLE = "EMULATOR_API_KEY"
TOKEN_VARIABLE = "EMULATOR_ENTRA_TOKEN"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m emulator",
        description="Local endpoint speaking the Azure AI serverless (MaaS), Azure OpenAI "
        "(v1 and classic deployments) and Foundry Models wire formats.",
    )
    add = parser.add_argument
    add("--host", default="127.0.0.1")
    add("--port", type=int, default=8765)
    add("--engine", choices=("scripted", "llama"), default="scripted")
    add("--api-key", help=f"key clients must send; default ${KEY_VARIABLE}; none: no auth")
    add("--entra-token", help=f"stand-in Entra token accepted as Bearer; default ${TOKEN_VARIABLE}")
    add("--deployment", help="Azure deployment name (default: the model's name)")
    add("--rate-limit-requests", type=int, default=quota.DEFAULT_REQUESTS, help="per minute")
    add("--rate-limit-tokens", type=int, default=quota.DEFAULT_TOKENS, help="per minute")
    add("--model-path", type=Path, default=DEFAULT_MODEL_PATH, help="GGUF for --engine llama")
    add("--token-delay", type=float, default=0.0, help="scripted: seconds before each token")
    add("--reply-tokens", type=int, default=40, help="scripted: natural reply length")
    add("--no-content-filter", action="store_true", help="turn the prompt filter off")
    add("--slots", type=_positive, help="generations running at once (llama: 4)")
    add("--queue-limit", type=_natural, help="generations waiting beyond the slots (llama: 4)")
    add("--threads", type=_positive, default=1, help="llama: CPU threads per slot")
    add("--log-level", default="info", choices=("debug", "info", "warning", "error"))
    return parser.parse_args(argv)


def _natural(text: str) -> int:
    """A whole number >= 0, for argparse."""
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is below 0")
    return value


def _positive(text: str) -> int:
    """A whole number >= 1, for argparse."""
    value = _natural(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


class _QuietCut(logging.Filter):
    """Turn uvicorn's traceback for a deliberate `cut` fault into one info line."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record if it carries a ConnectionCut; never drop a record."""
        error = record.exc_info[1] if record.exc_info else None
        if _is_cut(error):
            record.msg, record.args, record.exc_info = "connection cut on request (fault)", (), None
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


def _is_cut(error: BaseException | None) -> bool:
    if isinstance(error, BaseExceptionGroup):
        return any(_is_cut(inner) for inner in error.exceptions)
    return isinstance(error, ConnectionCut)


def _secret(given: str | None, flag: str, variable: str) -> tuple[str | None, str]:
    """The flag's value, else the environment variable's, and where it came from."""
    if given is not None:
        return given, flag
    return os.environ.get(variable), variable


def main(argv: list[str] | None = None) -> int:
    """Start the emulator; return the process exit code."""
    args = parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(levelname)s:  %(message)s")
    key, source = _secret(args.api_key, "--api-key", KEY_VARIABLE)
    token, token_source = _secret(args.entra_token, "--entra-token", TOKEN_VARIABLE)
    if args.engine == "llama" and not args.model_path.is_file():
        print(
            f"No model at {args.model_path}. Run `python -m emulator.fetch_model` first.",
            file=sys.stderr,
        )
        return 2
    settings = Settings(
        engine=args.engine,
        api_key=key or None,
        model_path=args.model_path,
        token_delay=args.token_delay,
        reply_tokens=args.reply_tokens,
        content_filter=not args.no_content_filter,
        queue_limit=args.queue_limit,
        slots=args.slots,
        threads=args.threads,
        entra_token=token or None,
        deployment=args.deployment or None,
        rate_limit_requests=args.rate_limit_requests,
        rate_limit_tokens=args.rate_limit_tokens,
    )
    failures: list[BaseException] = []

    def load_failed(error: BaseException) -> None:
        failures.append(error)
        server.should_exit = True

    config = uvicorn.Config(
        create_app(settings, load_failed), host=args.host, port=args.port, log_level=args.log_level
    )
    server = uvicorn.Server(config)
    logging.getLogger("uvicorn.error").addFilter(_QuietCut())
    # Never log the key or the token themselves, nor any request header.
    auth = f"key required (from {source})" if settings.api_key else "OFF: no key set, no check"
    if settings.entra_token:
        auth += f", Entra stand-in token accepted (from {token_source})"
    content = "on" if settings.content_filter else "off"
    log.info(
        "emulator: engine=%s auth=%s content-filter=%s on http://%s:%d",
        args.engine, auth, content, args.host, args.port,
    )  # fmt: skip
    server.run()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

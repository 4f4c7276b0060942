"""Where the audit chain's key comes from: the environment, a file, or (a demo) a key file made
once under var/ with a warning; a short or missing key stops Kouan."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from kouan import config
from kouan.config import Settings, audit_key


@pytest.fixture(autouse=True)
def fresh(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No key in the environment, a working directory of the test's own, keys read anew."""
    monkeypatch.delenv("KOUAN_AUDIT_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    config._audit_key.cache_clear()
    yield
    config._audit_key.cache_clear()


def test_the_key_is_taken_from_the_setting_else_from_the_file(tmp_path: Path) -> None:
    assert audit_key(Settings(audit_key="e" * 40)) == b"e" * 40
    key_file = tmp_path / "audit.key"
    key_file.write_text("f" * 40 + "\n")
    assert audit_key(Settings(audit_key_file=key_file)) == b"f" * 40


def test_without_a_key_a_demo_key_file_is_made_once_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, "kouan.audit"):
        first = audit_key(Settings())
    assert "no audit key configured" in caplog.text
    made = tmp_path / "var" / "audit.key"
    assert made.read_text().strip().encode() == first and len(first) == 64
    assert made.stat().st_mode & 0o777 == 0o600
    config._audit_key.cache_clear()
    assert audit_key(Settings()) == first, "the installation keeps its key"
    assert [p.name for p in made.parent.iterdir()] == ["audit.key"]


def test_a_short_or_missing_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="KOUAN_AUDIT_KEY has 5 characters; 32 or more"):
        audit_key(Settings(audit_key="short"))
    with pytest.raises(ValueError, match="is not a file holding the key"):
        audit_key(Settings(audit_key_file=tmp_path / "nowhere.key"))

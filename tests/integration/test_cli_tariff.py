"""`kouan tariff import` and `kouan tariff versions` (SQLite and PostgreSQL): the packaged tariff
imported as a version in force from a day, a file with an error refused whole naming its line and
column (exit 2), the versions listed in force, to come and superseded."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from kouan.adapters.db.tables import AuditEntry
from kouan.cli import app
from kouan.config import get_settings
from kouan.services.duties import tariffs
from kouan.services.platform.unit_of_work import ServiceContext
from tests.conftest import People

runner = CliRunner()
PACKAGED = tariffs.reference_text("tariff.csv")
LINES = len(tariffs.packaged().lines)


@pytest.fixture
def cli_env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("KOUAN_DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _file(tmp_path: Path, text: str, name: str = "tariff.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_the_packaged_tariff_is_imported_and_listed(
    cli_env: None, ctx: ServiceContext, people: People, tmp_path: Path
) -> None:
    path = _file(tmp_path, PACKAGED)
    old = runner.invoke(app, ["tariff", "import", path, "--effective-from", "2001-01-01"])
    assert old.exit_code == 0, old.output
    args = ["tariff", "import", path, "--effective-from", "2099-01-01", "--note", "next year"]
    new = runner.invoke(app, args)
    assert new.exit_code == 0, new.output
    versions = tariffs.list_versions(ctx, people["customs"])
    assert [(v["effective_from"], v["lines"], v["note"]) for v in versions] == [
        ("2099-01-01", LINES, "next year"),
        ("2001-01-01", LINES, ""),
    ]
    first = versions[0]["version"]
    assert f"tariff version {first}: {LINES} lines, in force from 2099-01-01" in new.output
    with ctx.sessions() as session:
        audited = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "tariff.imported")
        ).all()
    assert [a.entity_id for a in audited] == [str(versions[1]["version"]), str(first)]

    listed = runner.invoke(app, ["tariff", "versions"])
    assert listed.exit_code == 0, listed.output
    rows = listed.output.splitlines()
    assert "from 2099-01-01" in rows[0] and "to come" in rows[0] and "next year" in rows[0]
    assert "from 2001-01-01" in rows[1] and "in force" in rows[1]
    assert "the packaged table" in rows[2] and "superseded" in rows[2]


def test_a_file_with_an_error_is_refused_naming_its_line_and_column(
    cli_env: None, ctx: ServiceContext, people: People, tmp_path: Path
) -> None:
    # The packaged tariff without its comments, its fifth line's MFN rate spoilt.
    rows = list(csv.reader(line for line in PACKAGED.splitlines() if not line.startswith("#")))
    assert rows[0][3] == "mfn"
    rows[4][3] = "abc"
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    path = _file(tmp_path, text.getvalue())
    refused = runner.invoke(app, ["tariff", "import", path, "--effective-from", "2027-01-01"])
    assert refused.exit_code == 2, refused.output
    assert "line 5, column mfn: 'abc' is not a rate in percent" in refused.output
    no_date = runner.invoke(app, ["tariff", "import", path, "--effective-from", "2027-13-01"])
    assert no_date.exit_code == 2
    ok = _file(tmp_path, PACKAGED, "ok.csv")
    as_broker = ["--effective-from", "2027-01-01", "--as", "broker"]
    not_customs = runner.invoke(app, ["tariff", "import", ok, *as_broker])
    assert not_customs.exit_code == 2 and "refused" in not_customs.output
    assert tariffs.list_versions(ctx, people["customs"]) == []
    empty = runner.invoke(app, ["tariff", "versions"])
    assert empty.exit_code == 0 and "the packaged table" in empty.output
    assert "in force" in empty.output

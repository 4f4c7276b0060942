"""`kouan screen pairs`: the name matcher alone, from a CSV of pairs."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from kouan.cli_screening import app

runner = CliRunner()


def test_pairs_writes_scores_and_matches_to_stdout(tmp_path: Path) -> None:
    source = tmp_path / "pairs.csv"
    source.write_text(
        "name1,name2\n张伟,ZHANG WEI\nLEE MIN HO,LEE MIN JUNG\nSERGEY IVANOV,Иванов Сергей\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["pairs", str(source)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "name1,name2,score,match"
    assert lines[1] == "张伟,ZHANG WEI,1.000,true"
    assert lines[2].startswith("LEE MIN HO,LEE MIN JUNG,0.") and lines[2].endswith(",false")
    assert lines[3].endswith(",true")


def test_pairs_writes_to_a_file_at_a_threshold(tmp_path: Path) -> None:
    source, out = tmp_path / "pairs.csv", tmp_path / "out.csv"
    source.write_text("name1,name2\nJ SMITH,JOHN SMITH\n", encoding="utf-8")
    result = runner.invoke(app, ["pairs", str(source), "--out", str(out), "--threshold", "0.99"])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").splitlines()[1].endswith(",false")


def test_pairs_refuses_a_file_without_its_header(tmp_path: Path) -> None:
    source = tmp_path / "pairs.csv"
    source.write_text("a,b\nX,Y\n", encoding="utf-8")
    assert runner.invoke(app, ["pairs", str(source)]).exit_code == 2
    assert runner.invoke(app, ["pairs", str(tmp_path / "missing.csv")]).exit_code == 2

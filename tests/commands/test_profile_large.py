"""`python -m finmodels profile` reads a file as `train` does: Parquet, and a CSV past the upload limit."""

import json

import pandas as pd

from finmodels.__main__ import main
from finmodels.data import reading
from tests.commands.conftest import GERMAN_CSV


def profile_json(capsys, path) -> dict:
    assert main(["profile", str(path), "--json"]) == 0
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_profile_reads_a_csv_past_the_upload_limit_and_parquet(capsys, tmp_path, monkeypatch):
    small = profile_json(capsys, GERMAN_CSV)
    monkeypatch.setattr(reading, "MAX_UPLOAD_MB", 0.05)  # German credit's 0.27 MB is now past the limit
    large = profile_json(capsys, GERMAN_CSV)
    parquet = tmp_path / "german.parquet"
    pd.read_csv(GERMAN_CSV).to_parquet(parquet, index=False)
    for out in (large, profile_json(capsys, parquet)):
        assert (out["rows"], out["target"], out["task"]) == (1000, "creditability", small["task"])
        assert [c["name"] for c in out["columns"]] == [c["name"] for c in small["columns"]]

"""The command line as the dashboard (new user's trial 2, finding 6): `score` writes the Score page's CSV, with the
row's line in the file first; `train` and `runs` print a forecast's RMSE and MAE in percent, the unit named, as the
app shows them (they printed fractions: 'rmse 0.008')."""

import json
import re

import pandas as pd

from finmodels.__main__ import main
from finmodels.data.samples import load_sample
from tests.commands.conftest import GERMAN_CSV


def test_the_scored_csv_starts_with_each_row_s_line_in_the_file(german_bundle, german, capsys, tmp_path):
    out = tmp_path / "scored.csv"
    assert main(["score", str(german_bundle), str(GERMAN_CSV), "--out", str(out)]) == 0
    capsys.readouterr()
    scored = pd.read_csv(out, keep_default_na=False)
    assert list(scored.columns[:2]) == ["line", german.columns[0]]
    assert scored["line"].tolist() == list(range(2, 1002))
    assert scored[german.columns[0]].tolist() == german[german.columns[0]].astype(str).tolist()


def test_train_and_runs_print_a_forecast_s_errors_in_percent(capsys, tmp_path):
    path = tmp_path / "prices.csv"
    load_sample("sp500_index").tail(300).to_csv(path, index=False)
    assert main(["train", str(path), "--task", "market_risk", "--arch", "lstm", "--epochs", "1", "--window", "5",
                 "--out", str(tmp_path), "--area", "percent-test", "--json"]) == 0
    metrics = json.loads(capsys.readouterr().out)["metrics"]
    assert main(["train", str(path), "--task", "market_risk", "--arch", "lstm", "--epochs", "1", "--window", "5",
                 "--out", str(tmp_path), "--area", "percent-test"]) == 0
    text = capsys.readouterr().out
    rows = {line.split("  ")[0]: line for line in text.splitlines() if line.startswith(("RMSE", "MAE"))}
    assert sorted(rows) == ["MAE (%)", "RMSE (%)"]
    first = float(rows["RMSE (%)"].split()[2])  # the network's column
    assert 0.1 < first < 10  # a daily return's error in percent, not 0.01
    assert main(["runs", "--area", "percent-test"]) == 0
    listed = capsys.readouterr().out
    values = [float(v) for v in re.findall(r"rmse \(%\) ([0-9.]+)", listed)]
    assert len(values) == 2 and "rmse 0." not in listed
    assert all(0.1 < v < 10 for v in values)
    assert min(abs(v - metrics["rmse"] * 100) for v in values) < 1e-3

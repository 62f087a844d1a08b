"""`python -m finmodels score BUNDLE FILE.csv`: the Score page's behaviour from the terminal, and the commands'
one JSON helper."""

import json
import math

import numpy as np
import pandas as pd

from finmodels.__main__ import main
from finmodels.data.samples import get_sample
from tests.commands.conftest import GERMAN_CSV




def _json(capsys, *argv) -> dict:
    assert main(["score", *map(str, argv), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_summary_and_scored_csv_with_reasons_for_every_flagged_row(german_bundle, german_net, german, capsys,
                                                                       tmp_path):
    out = tmp_path / "scored.csv"
    summary = _json(capsys, german_bundle, GERMAN_CSV, "--threshold", 0.3, "--out", out)
    scored = pd.read_csv(out, keep_default_na=False)
    expected = german_net.predict(german)
    assert summary["rows"] == 1000 and summary["threshold"] == 0.3
    assert summary["flagged"] == int((expected >= 0.3).sum()) == (scored["decision"] == "bad").sum()
    assert summary["decisions"] == {"bad": summary["flagged"], "not bad": 1000 - summary["flagged"]}
    assert summary["warnings"] == [] and summary["out"] == str(out)
    features = sorted(c for c in german.columns if c != "creditability")
    assert sorted(summary["psi"]["features"]) == features
    assert 0 <= summary["psi"]["score"] < 0.1 and max(summary["psi"]["features"].values()) < 0.1
    assert summary["psi"]["note"] is None  # 1,000 rows are enough to read the bands
    # the Score page's columns: the row's line in the file, the file's own, the score, the decision, the reason codes
    assert list(scored.columns) == ["line", *german.columns, "probability of 'bad'", "decision", "reason codes",
                                    "check"]
    assert np.allclose(scored["probability of 'bad'"], expected, atol=1e-5)
    flagged = scored["decision"] == "bad"
    assert summary["explained_rows"] == flagged.sum()
    assert (scored.loc[flagged, "reason codes"] != "").all() and (scored.loc[~flagged, "reason codes"] == "").all()
    assert all(1 <= len(c.split(" | ")) <= 3 for c in scored.loc[flagged, "reason codes"])


def test_unseen_values_are_warned_about_and_formula_cells_escaped(german_bundle, german, capsys, tmp_path):
    rows = german.copy()
    rows.loc[:2, "purpose"] = '=HYPERLINK("http://example.com","x")'
    rows.loc[3, "purpose"] = "ZZ"
    file = tmp_path / "new.csv"
    rows.to_csv(file, index=False)
    out = tmp_path / "scored.csv"
    summary = _json(capsys, german_bundle, file, "--out", out, "--reasons", "all")
    assert summary["threshold"] == 0.5 and summary["explained_rows"] == 1000
    assert summary["warnings"] == [
        "Column 'purpose' has 2 values never seen in training: '=HYPERLINK(\"http://example.com\",\"x\")' in lines "
        "2, 3, 4; 'ZZ' in line 5. The model has no input for such a value: it scores the row as if 'purpose' held "
        "none of its training values (with neutral evidence in its weight-of-evidence input). Write them as the "
        "training data does (its values: 'business', 'car (new)', 'car (used)', 'domestic appliances', 'education', "
        "'furniture/equipment', 'others', 'radio/television', 'repairs', 'retraining') and score the file again."]
    scored = pd.read_csv(out, keep_default_na=False)
    assert scored["purpose"].iloc[0] == '\'=HYPERLINK("http://example.com","x")'
    assert not any(str(v).startswith(("=", "+", "@")) for v in scored.to_numpy().ravel())


def test_text_summary_names_the_decisions_stability_and_the_file_written(german_bundle, capsys, tmp_path,
                                                                          monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["score", str(german_bundle), str(GERMAN_CSV), "--threshold", "0.4"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("1,000 rows scored in ") and text.splitlines()[0].endswith("written to scored_german_credit.csv")
    assert "  bad: " in text and "  not bad: " in text and "\n  score: " in text
    assert (tmp_path / "scored_german_credit.csv").is_file()


def test_a_missing_bundle_is_an_error_message_not_a_traceback(capsys, tmp_path):
    assert main(["score", str(tmp_path / "none.zip"), str(GERMAN_CSV)]) == 2
    assert capsys.readouterr().err == f"error: Model bundle '{tmp_path / 'none.zip'}' does not exist. Check the path.\n"


def test_one_json_helper_for_every_command():
    from finmodels.commands import _json, explain, score, train

    value = {"a": float("nan"), "b": (1.0, float("inf")), "c": [np.float32(0.5), np.int64(3)], 4: -math.inf}
    assert _json.finite(value) == {"a": None, "b": [1.0, None], "c": [0.5, 3], "4": None}
    assert json.dumps(_json.finite(value), allow_nan=False)
    for module in (explain, score, train):
        assert module.finite is _json.finite and not hasattr(module, "_finite")


def test_without_a_bundle_the_workspace_champion_scores(capsys, tmp_path, german_net, german):
    from finmodels.runtime.workspace import Workspace, data_fingerprint

    space = Workspace(area="score-champion")
    assert main(["score", str(get_sample("german_credit").path), "--area", "score-champion",
                 "--out", str(tmp_path / "x.csv")]) == 2
    assert "Workspace area 'score-champion' has no champion. Promote a run on the Runs page" in capsys.readouterr().err
    run_id = space.log_run(german_net, data_name="german_credit.csv", data_fingerprint=data_fingerprint(german))
    space.promote(run_id)
    out_csv = tmp_path / "scored.csv"
    assert main(["score", str(get_sample("german_credit").path), "--area", "score-champion", "--out", str(out_csv),
                 "--json"]) == 0
    out, err = capsys.readouterr()
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["rows"] == 1000 and out_csv.exists()
    assert "with the champion of area 'score-champion' (Dense network (MLP))" in err


def test_a_handful_of_rows_is_scored_with_a_note_that_their_psi_is_noise(german_bundle, german, capsys, tmp_path):
    few = tmp_path / "few.csv"
    german.head(20).to_csv(few, index=False)
    assert main(["score", str(german_bundle), str(few), "--out", str(tmp_path / "out.csv")]) == 0
    text = capsys.readouterr().out
    assert "  PSI on 20 rows is mostly noise: with 10 bins, rows drawn from the training population itself score 0.45 " \
           "or more by chance" in text
    assert _json(capsys, german_bundle, few, "--out", tmp_path / "out2.csv")["psi"]["note"].startswith("PSI on 20 rows")

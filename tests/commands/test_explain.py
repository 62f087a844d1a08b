"""`python -m finmodels explain BUNDLE FILE.csv`: a saved model explained from the terminal."""

import json
import subprocess
import sys

import pytest

from finmodels.__main__ import main
from finmodels.data.reading import load_csv
from tests.commands.conftest import GERMAN_CSV
from tests.conftest import ROOT




def _json(capsys, *argv) -> dict:
    assert main(["explain", *map(str, argv), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_has_the_documented_fields_in_the_original_columns(german_bundle, german, capsys):
    out = _json(capsys, german_bundle, GERMAN_CSV, "--rows", 40, "--background", 30, "--reasons", 2)
    assert out["explainer"] == "DeepExplainer" and out["background_rows"] == 30
    assert out["scale"] == "probability" and out["output"] == "default probability"
    features = sorted(c for c in german.columns if c != "creditability")
    assert sorted(out["importance"]) == features
    assert list(out["importance"].values()) == sorted(out["importance"].values(), reverse=True)
    assert out["additivity_error"] < 1e-5 and out["additivity_ok"] is True
    assert len(out["rows"]) == 40 and out["rows_note"] == "Explained 40 of 1,000 rows, stratified by outcome."
    for row in out["rows"]:
        assert row["base_value"] + sum(row["contributions"].values()) == pytest.approx(row["prediction"], abs=1e-5)
        assert len(row["reason_codes"]) <= 2
    # the file row points at the explained applicant: its reason code quotes that row's own value
    row = next(r for r in out["rows"] if r["reason_codes"])
    column = max(row["contributions"], key=row["contributions"].get)
    value = german.iloc[row["file_row"] - 2][column]
    assert f"'{value}' raised default probability by" in row["reason_codes"][0]


def test_text_output_says_which_explainer_and_lists_reason_codes(german_bundle, capsys):
    assert main(["explain", str(german_bundle), str(GERMAN_CSV), "--rows", "20"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("DeepExplainer (DeepLIFT rescale rule against 100 background rows).")
    assert "Importance (mean |SHAP|, probability):" in text
    assert "Reason codes of the 5 highest-scoring rows:" in text and "raised default probability by" in text


def test_a_forced_explainer_is_reported(german_bundle, capsys):
    out = _json(capsys, german_bundle, GERMAN_CSV, "--rows", 10, "--background", 10, "--explainer", "permutation")
    assert out["explainer"] == "PermutationExplainer" and out["additivity_error"] < 1e-5


@pytest.mark.parametrize("argv,message", [
    (["--rows", "0"], "The number of rows to sample must be at least 1; got 0."),
    (["--explainer", "kernel"], "Unknown explainer 'kernel'. Available explainers: deep, gradient, permutation"),
])
def test_bad_options_are_clear_errors(german_bundle, capsys, argv, message):
    assert main(["explain", str(german_bundle), str(GERMAN_CSV), *argv]) == 2
    assert message in capsys.readouterr().err


def test_a_file_without_the_training_columns_is_refused(german_bundle, tmp_path, capsys):
    other = tmp_path / "other.csv"
    other.write_text("age_in_years,duration_in_month\n30,12\n")
    assert main(["explain", str(german_bundle), str(other)]) == 2
    err = capsys.readouterr().err
    assert "The file lacks 18 column(s) the model was trained on: " in err and "credit_amount" in err


def test_forecast_bundle_is_explained_per_lag_and_series(tmp_path, capsys):
    from finmodels.models.architectures import LSTMConfig
    from finmodels.models.bundle import save_bundle
    from finmodels.data.samples import load_sample
    from finmodels.models.training import TrainConfig, train

    prices = load_sample("sp500_index").head(260)
    config = TrainConfig(target=None, task="market_risk", arch="lstm", window=8, epochs=1, seed=0,
                         hyperparameters=LSTMConfig(units=(3,), dense_units=3))
    path = tmp_path / "lstm.zip"
    save_bundle(train(prices, config, baselines=False), path)
    csv = tmp_path / "recent.csv"
    prices.tail(40).to_csv(csv, index=False)
    out = _json(capsys, path, csv, "--rows", 6, "--background", 8)
    assert out["explainer"] == "PermutationExplainer" and out["output"] == "predicted next-day return"
    assert out["lags"] == [8, 7, 6, 5, 4, 3, 2, 1] and set(out["lag_importance"]) == set(out["importance"])
    assert [r["window"] for r in out["rows"]] == sorted(r["window"] for r in out["rows"])
    assert out["additivity_ok"] is True


def test_the_real_command_line_prints_one_json_object(german_bundle):
    done = subprocess.run([sys.executable, "-m", "finmodels", "explain", str(german_bundle), str(GERMAN_CSV),
                           "--rows", "5", "--json"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert {"explainer", "background_rows", "importance", "additivity_error", "rows"} <= set(out)
    assert set(out["rows"][0]) >= {"prediction", "base_value", "contributions", "reason_codes"}


@pytest.fixture(scope="module")
def rating_bundle(tmp_path_factory):
    from finmodels.models.architectures import MLPConfig
    from finmodels.models.bundle import save_bundle
    from finmodels.models.training import TrainConfig, train
    from tests.conftest import SHARED_DATASETS

    path = SHARED_DATASETS / "corporate_rating.csv"
    frame = load_csv(path)
    result = train(frame, TrainConfig(members=1, blend=(),
                                      target="Rating", task="credit_rating", hyperparameters=MLPConfig(units=(16,)),
                                      epochs=5, features=("currentRatio", "quickRatio", "cashRatio", "Sector")),
                   baselines=False)
    bundle = tmp_path_factory.mktemp("rating") / "rating.zip"
    save_bundle(result, bundle)
    return bundle, path


def test_a_rating_model_explains_the_class_asked_for(rating_bundle, capsys):
    bundle, path = rating_bundle
    assert main(["explain", str(bundle), str(path), "--class", "AA", "--rows", "40", "--json"]) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["class"] == "AA"
    codes = [code for row in out["rows"] for code in row["reason_codes"]]
    assert codes and all("'AA'" in code for code in codes)
    assert main(["explain", str(bundle), str(path), "--rows", "40", "--json"]) == 0
    default = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert default["class"] == "BBB"  # the class the model predicts most, as before


def test_an_unknown_class_names_the_classes_there_are(rating_bundle, capsys):
    bundle, path = rating_bundle
    assert main(["explain", str(bundle), str(path), "--class", "ZZZ", "--rows", "40"]) == 2
    err = capsys.readouterr().err
    assert "ZZZ" in err and "AAA" in err and "BBB" in err


def test_a_driver_that_describes_the_record_is_flagged_in_text_and_json(tmp_path, german_bundle, agency_rating_run,
                                                                        capsys):
    """Who rated a company is not the company: the command line flags it as the Explain page and the document do."""
    from finmodels.models.bundle import save_bundle
    from tests.conftest import SHARED_DATASETS

    path = SHARED_DATASETS / "corporate_rating.csv"
    save_bundle(agency_rating_run, tmp_path / "agency.zip")
    out = _json(capsys, tmp_path / "agency.zip", path, "--rows", 40)
    (flag,) = [d for d in out["record_drivers"] if d["column"] == "Rating Agency Name"]
    assert flag["share"] == pytest.approx(out["importance"]["Rating Agency Name"] / sum(out["importance"].values()),
                                          abs=1e-4)
    assert "describes the record, not the borrower" in flag["message"] and "retrain" in flag["message"]
    assert main(["explain", str(tmp_path / "agency.zip"), str(path), "--rows", "40"]) == 0
    assert "Warning: 'Rating Agency Name' is the model's" in capsys.readouterr().out
    assert _json(capsys, german_bundle, GERMAN_CSV, "--rows", 40)["record_drivers"] == []

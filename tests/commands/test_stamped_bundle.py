"""A bundle downloaded from the dashboard decides from the terminal as its run does, and its document names it: the
threshold and costs written into it at download (finmodels.delivery.bundle_identity) are the commands' default."""

import json

import pytest

from finmodels.__main__ import main
from finmodels.delivery.bundle_identity import stamped
from tests.commands.conftest import GERMAN_CSV


@pytest.fixture(scope="module")
def downloaded(german_bundle, tmp_path_factory):
    path = tmp_path_factory.mktemp("downloaded") / "credit_default_mlp_d09afcf5.zip"
    path.write_bytes(stamped(german_bundle.read_bytes(), run_id="d09afcf5aa110022", name="Dense network (MLP)",
                             area="desk-a", champion=True, threshold=0.14,
                             costs={"false_negative": 5.0, "false_positive": 1.0},
                             threshold_source="the least-cost threshold at the default costs"))
    return path


def test_score_takes_the_threshold_written_into_the_bundle(downloaded, capsys, tmp_path):
    out_csv = str(tmp_path / "scored.csv")
    assert main(["score", str(downloaded), str(GERMAN_CSV), "--out", out_csv, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["threshold"] == 0.14
    assert ("Decisions at threshold 0.14 (the least-cost threshold at the default costs, written into the bundle when "
            "run d09afcf5 was downloaded).") in out["notes"]
    assert main(["score", str(downloaded), str(GERMAN_CSV), "--threshold", "0.5", "--out", out_csv, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["threshold"] == 0.5


def test_the_document_names_the_bundles_run_and_its_costs(downloaded, capsys, tmp_path):
    out = tmp_path / "doc.html"
    assert main(["document", str(downloaded), str(GERMAN_CSV), "--out", str(out)]) == 0
    text = out.read_text()
    assert "d09afcf5aa110022" in text and "desk-a" in text
    assert "costs 5" in text and "costs 1" in text

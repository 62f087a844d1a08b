"""`python -m finmodels document BUNDLE FILE --out doc.html`: the model document from the terminal."""

import json

from finmodels.__main__ import main
from tests.commands.conftest import GERMAN_CSV


def test_writes_the_html_and_reports_its_sections(german_bundle, capsys, tmp_path):
    out = tmp_path / "doc.html"
    assert main(["document", str(german_bundle), str(GERMAN_CSV), "--out", str(out), "--protected", "age_in_years",
                 "--rows", "40", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["out"] == str(out) and summary["bytes"] == len(out.read_bytes())
    assert summary["sections"] == ["Purpose and intended use", "Data", "Methodology",
                                   "Performance against the baselines and the scorecard", "Stability",
                                   "Explainability", "Fairness", "Limitations and monitoring plan"]
    assert list(summary["findings"]["fairness"]) == ["age_in_years"]
    assert summary["threshold"] == 0.5 and summary["threshold_source"] == "default" and "costs" not in summary
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "<h2>7. Fairness</h2>" in text
    assert "Decision: rows scored at or above 0.5 are declined (flagged); the threshold is the default." in text


def test_text_mode_names_the_file(german_bundle, capsys, tmp_path):
    out = tmp_path / "sub" / "doc.html"
    assert main(["document", str(german_bundle), str(GERMAN_CSV), "--out", str(out), "--rows", "20"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"Wrote {out} (") and lines[1] == "Decisions at threshold 0.5 (the default)."
    assert out.exists()


def test_merge_is_applied_in_the_fairness_section(german_bundle, capsys, tmp_path):
    out = tmp_path / "doc.html"
    column = "purpose"  # four groups under 30 rows on the whole file: refused unmerged
    small = "repairs|domestic appliances|others|retraining"
    assert main(["document", str(german_bundle), str(GERMAN_CSV), "--out", str(out), "--protected", column,
                 "--merge", f"{column}={small}>other purposes", "--rows", "20", "--json"]) == 0
    fairness = json.loads(capsys.readouterr().out)["findings"]["fairness"][column]
    assert fairness["groups"]["other purposes"]["rows"] == 22 + 12 + 12 + 9
    assert fairness["merged"]["retraining"] == "other purposes"
    assert "Groups of &#x27;purpose&#x27; merged by the analyst" in out.read_text(encoding="utf-8")

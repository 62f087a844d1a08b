"""Counterfactuals of number-coded categories on the real Taiwan default file and a real fitted network: SEX,
EDUCATION, MARRIAGE and PAY_0..PAY_6 are tried at each code seen in training, worded without a direction or a
delta, marked in the JSON, the same through a bundle, and a protected column is named."""

import json
import re

import numpy as np
import pandas as pd
import pytest

from finmodels.explain.whatif import coded_columns, training_ranges, what_if

TAIWAN_CSV = "/work/shared/datasets/taiwan_default.csv"
TARGET = "default_payment_next_month"
CODED = {"SEX", "EDUCATION", "MARRIAGE", "PAY_0", "PAY_2", "PAY_3", "PAY_4", "PAY_5", "PAY_6"}


@pytest.fixture(scope="module")
def taiwan():
    from finmodels.data.reading import load_csv

    return load_csv(TAIWAN_CSV)


@pytest.fixture(scope="module")
def taiwan_net(taiwan):
    from finmodels.models.training import TrainConfig, train

    return train(taiwan, TrainConfig(target=TARGET, task="credit_default", members=1, blend=(), epochs=3, seed=0))


@pytest.fixture(scope="module")
def taiwan_bundle(taiwan_net, tmp_path_factory):
    from finmodels.models.bundle import save_bundle

    path = tmp_path_factory.mktemp("bundles") / "taiwan.zip"
    save_bundle(taiwan_net, path)
    return path


@pytest.fixture(scope="module")
def near_row(taiwan_net, taiwan):
    """The applicant nearest the threshold among the first 2,000 rows: several inputs can change its decision."""
    scores = np.asarray(taiwan_net.predict(taiwan.iloc[:2000]), dtype="float64")
    return int(np.argmin(np.abs(scores - 0.5)))


@pytest.fixture(scope="module")
def near(taiwan_net, taiwan, near_row):
    return what_if(taiwan_net, taiwan, {}, row=near_row, protected=["SEX"])


def _flagged(net, rows: pd.DataFrame) -> np.ndarray:
    return np.asarray(net.predict(rows), dtype="float64").ravel() >= 0.5


def test_coded_inputs_are_the_preprocessors_codes_with_the_codes_seen_in_training(taiwan_net, taiwan):
    train = taiwan.iloc[taiwan_net.split.train]
    assert set(coded_columns(taiwan_net.preprocessor)) == CODED
    ranges = training_ranges(taiwan_net)
    assert {c for c, r in ranges.items() if r.coded} == CODED
    assert ranges["SEX"].codes == (1.0, 2.0)
    assert ranges["EDUCATION"].codes == (0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0)
    assert ranges["MARRIAGE"].codes == (0.0, 1.0, 2.0, 3.0)
    assert ranges["PAY_0"].codes == tuple(float(v) for v in range(-2, 9))
    for c in CODED:
        assert ranges[c].codes == tuple(float(v) for v in np.unique(train[c]))
        shares = train[c].value_counts(normalize=True)
        assert ranges[c].shares == pytest.approx([shares[int(v)] for v in ranges[c].codes])
    assert ranges["EDUCATION"].describe() == "codes 0, 1, 2, 3, 4, 5, 6"
    assert not ranges["LIMIT_BAL"].coded and not ranges["AGE"].coded and ranges["AGE"].integer


def test_each_code_is_scored_and_the_most_common_flipping_code_is_chosen(taiwan_net, taiwan, near_row, near):
    ranges = training_ranges(taiwan_net)
    row = taiwan.iloc[[near_row]]
    flagged = bool(_flagged(taiwan_net, row)[0])
    target = "not flagged" if flagged else f"flagged: {TARGET} = 1"
    by_column = {cf.column: cf for cf in near.counterfactuals}
    assert set(by_column) == {c for c, r in ranges.items() if r.numeric}
    assert any(by_column[c].found for c in CODED), "an applicant at the threshold has a code that moves it"
    for c in CODED:
        cf = by_column[c]
        own = float(row.iloc[0][c])
        others = [code for code in ranges[c].codes if code != own]
        tried = pd.concat([row] * len(others), ignore_index=True).assign(**{c: others})
        flips = [code for code, f in zip(others, _flagged(taiwan_net, tried)) if f != flagged]
        assert cf.coded and cf.change is None and cf.current == own
        if not flips:
            assert not cf.found and cf.note == (f"No code of {c} seen in training "
                                                f"({', '.join(str(int(v)) for v in ranges[c].codes)}) changes the "
                                                "decision (others held).")
            continue
        # exactly the codes seen in training that change the decision: the chosen one and its alternatives
        assert sorted([cf.value, *cf.alternatives]) == flips and cf.alternatives == tuple(sorted(cf.alternatives))
        assert cf.share == ranges[c].share(cf.value) == max(ranges[c].share(v) for v in flips)
        assert cf.score == pytest.approx(float(taiwan_net.predict(row.assign(**{c: cf.value}))[0]), abs=1e-6)
        also = (f"; {', '.join(str(int(v)) for v in cf.alternatives)} also "
                f"{'do' if len(cf.alternatives) > 1 else 'does'}" if cf.alternatives else "")
        why = f"of the codes that do, {int(cf.value)} is the most common in training" if cf.alternatives else \
            "the only code that does"
        expected = f"Change {c} from {int(own)} to {int(cf.value)} to change the decision to '{target}' ({why}{also})."
        if c == "SEX":  # worded as the fairness question it is, never as a change to make
            others = f"; also at {', '.join(str(int(v)) for v in cf.alternatives)}" if cf.alternatives else ""
            expected = (f"SEX is a protected column (Governance page): a fairness question, not a change to suggest. "
                        f"Others held, the decision would turn to '{target}' at {int(cf.value)}{others} (this row: "
                        f"{int(own)}).")
        assert cf.note == expected and cf.protected == (c == "SEX")
        assert not re.search(r"Raise|Lower|\([+-]\d", cf.note)
    for cf in near.counterfactuals:
        if not cf.coded:
            assert cf.note.startswith("Raise " if (cf.change or 0) > 0 else ("Lower " if cf.found else "No value"))
    assert any(n.startswith("SEX, EDUCATION, MARRIAGE, PAY_0, PAY_2") for n in near.notes)


def test_numeric_moves_come_first_then_code_changes_by_how_common_then_protected_then_the_rest(taiwan_net, near):
    """Suggestions first (numeric moves, then code changes), then a protected input that changes the decision (a
    fairness question, not a suggestion), then the inputs nothing changes."""
    ranges = training_ranges(taiwan_net)
    items = near.counterfactuals
    groups = [2 if not cf.found else 1.5 if cf.protected else 1 if cf.coded else 0 for cf in items]
    assert groups == sorted(groups) and 0 in groups and 1 in groups
    moves = [abs(cf.change) / (cf.high - cf.low) for cf in items if cf.found and not cf.coded and not cf.protected]
    assert moves == sorted(moves)
    common = [ranges[cf.column].share(cf.value) for cf in items if cf.found and cf.coded and not cf.protected]
    assert common == sorted(common, reverse=True)


def test_an_edit_to_a_code_never_seen_is_an_extrapolation(taiwan_net, taiwan):
    result = what_if(taiwan_net, taiwan, {"EDUCATION": 7, "PAY_0": "1"}, row=3)
    assert result.warnings == ["EDUCATION = 7 is not a code seen in training (codes 0, 1, 2, 3, 4, 5, 6): the score "
                               "there is an extrapolation."]
    assert result.changes == {"EDUCATION": (int(taiwan.loc[3, "EDUCATION"]), 7.0), "PAY_0": (0, 1.0)}


def test_a_bundle_gives_the_same_coded_treatment_as_the_run(taiwan_net, taiwan, taiwan_bundle, near_row, near):
    from finmodels.models.bundle import load_bundle

    bundle = load_bundle(taiwan_bundle)
    assert getattr(bundle, "frame", None) is None  # a bundle keeps no training rows: its encoder and sample
    run_ranges, bundle_ranges = training_ranges(taiwan_net), training_ranges(bundle)
    assert {c for c, r in bundle_ranges.items() if r.coded} == CODED
    for c in CODED:  # its encoder saw every training row; its manifest keeps each code's share of them
        assert bundle_ranges[c].codes == run_ranges[c].codes
        assert bundle_ranges[c].shares == pytest.approx(run_ranges[c].shares, abs=1e-12)
    # EDUCATION 0 is held by 14 of Taiwan's 30,000 rows: the manifest knows its share, not just the 200-row sample
    assert 0 < bundle.manifest["code_shares"]["EDUCATION"]["0"] == bundle_ranges["EDUCATION"].share(0.0) < 0.001
    result = what_if(bundle, taiwan, {}, row=near_row, protected=["SEX"])
    run = {cf.column: cf for cf in near.counterfactuals if cf.coded}
    for cf in result.counterfactuals:
        if cf.coded:
            twin = run[cf.column]
            assert (cf.found, cf.value, cf.alternatives, cf.note, cf.share) == (
                twin.found, twin.value, twin.alternatives, twin.note, twin.share)
            assert cf.change is None and cf.protected == (cf.column == "SEX")


def test_the_whatif_command_marks_coded_counterfactuals_in_its_json(taiwan_bundle, near_row, capsys):
    from finmodels.__main__ import main

    assert main(["whatif", str(taiwan_bundle), TAIWAN_CSV, "--row", str(near_row), "--protected", "SEX",
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    items = {c["column"]: c for c in out["counterfactuals"]}
    for column, item in items.items():
        assert item["coded"] == (column in CODED)
        if item["coded"]:
            assert item["change"] is None
            if item["found"]:
                assert 0 <= item["share"] <= 1
                start = (f"{column} is a protected column" if item["protected"] else
                         f"Change {column} from {int(item['current'])} to {int(item['value'])} ")
                assert item["note"].startswith(start)
        elif item["found"]:
            assert item["change"] == pytest.approx(item["value"] - item["current"])
    assert items["SEX"]["protected"] is True and items["EDUCATION"]["protected"] is False
    assert all(isinstance(c["alternatives"], list) for c in out["counterfactuals"])


def test_the_explain_pages_table_shows_a_code_change_without_a_delta(near):
    from ui.whatif_views import counterfactual_table

    table = counterfactual_table(near)
    found = [cf for cf in near.counterfactuals if cf.found]
    assert list(table.columns) == ["input", "this row", "changes the decision at", "move", "training rows with it",
                                   "score there"]
    assert len(table) == len(found)
    for (_, line), cf in zip(table.iterrows(), found):
        assert line["input"] == cf.column + (" (protected)" if cf.column == "SEX" else "")
        if cf.coded:
            assert line["move"] == "another code" and line["training rows with it"] == (
                f"{cf.share:.1%}" if cf.share >= 0.001 or cf.share == 0 else "under 0.1%")
            assert line["changes the decision at"] == str(int(cf.value))
        else:
            assert line["move"].startswith("+" if cf.change > 0 else "-") and line["training rows with it"] == ""

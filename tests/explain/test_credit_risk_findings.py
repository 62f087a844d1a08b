"""A new user's three explanation findings on credit_risk_dataset, each checked on the real file and a network
trained on it (tests/explain/conftest.py):

(7) counterfactuals searched up to the training minimum and maximum suggested outliers ('person_emp_length 3 ->
    123', 'person_income 44,000 -> 5,972,373'): they are searched within the 1st-99th percentile of the training
    rows (and the row's own value), and the output says so;
(8) the dashboard and the commands explained a row against different background rows, so its contributions
    differed: both draw the same rows now and agree;
(9) the probability waterfall's running total passed 1 midway (24 of the Explain page's 1,000 rows): the bars are
    ordered so it stays within [0, 1], and still add up from the base value to the prediction.
"""

import json

import numpy as np
import pandas as pd
import pytest

from finmodels.__main__ import main
from finmodels.explain.counterfactuals import counterfactuals
from finmodels.explain.whatif import training_ranges, what_if
from finmodels.plots.explanation import bounded_steps, plot_waterfall
from tests.explain.conftest import CREDIT_RISK_CSV

SEARCHED = "searched within the 1st-99th percentile of the training rows (and the row's own value when outside it)"


@pytest.fixture(scope="module")
def ranges(credit_risk_net):
    return training_ranges(credit_risk_net)


def _bulk(values: pd.Series) -> tuple[float, float]:
    finite = pd.to_numeric(values, errors="coerce").dropna().to_numpy(dtype="float64")
    return float(np.quantile(finite, 0.01, method="lower")), float(np.quantile(finite, 0.99, method="higher"))


# --- (7) counterfactuals within the bulk of the training rows ---------------------------------------------------

def test_the_bulk_is_the_training_rows_1st_to_99th_percentile(credit_risk_net, ranges):
    train = credit_risk_net.frame.iloc[credit_risk_net.split.train]
    age, employment = ranges["person_age"], ranges["person_emp_length"]
    assert age.high == train.person_age.max() >= 144 and employment.high == 123  # the outliers stay in the range
    assert age.bulk == _bulk(train.person_age) and employment.bulk == _bulk(train.person_emp_length)
    assert age.bulk[1] <= 60 and employment.bulk[1] <= 20  # ages to 50, 17 years of employment here
    for column in ("person_income", "loan_amnt", "loan_int_rate", "loan_percent_income", "cb_person_cred_hist_length"):
        assert ranges[column].bulk == _bulk(train[column])
    assert ranges["loan_int_rate"].bulk[1] * 100 == pytest.approx(round(ranges["loan_int_rate"].bulk[1] * 100))
    # the row's own value is searched too when it lies outside the bulk
    assert age.searched(144.0) == (age.bulk[0], 144.0) and age.searched(30.0) == age.bulk
    assert age.searched(None) == age.bulk


def test_no_counterfactual_suggests_an_outlier(credit_risk_net, credit_risk, ranges):
    """Before, among these rows the search suggested 70 values beyond the bulk, such as 'person_emp_length 3 -> 123'
    (row 29958) and 'person_income 44,000 -> 5,972,373' (row 29305)."""
    scores = np.asarray(credit_risk_net.predict(credit_risk), dtype="float64").ravel()
    senior = np.flatnonzero(credit_risk.person_age.to_numpy() >= 50)[:12]
    rows = [29958, 29305, *senior, *np.argsort(np.abs(scores - 0.5))[:12]]
    found = 0
    for row in rows:
        one = credit_risk.iloc[[int(row)]][credit_risk_net.preprocessor.columns].reset_index(drop=True)
        for cf in counterfactuals(credit_risk_net, one, ranges, threshold=0.5):
            if cf.coded:
                continue
            low, high = ranges[cf.column].searched(cf.current)
            assert (cf.low, cf.high) == (low, high) and cf.scope == "the 1st-99th percentile of the training rows"
            if cf.found:
                assert low <= cf.value <= high, (row, cf.note)
                found += 1
    assert found >= 20


def test_a_row_outside_the_bulk_keeps_its_own_value_in_the_search(credit_risk_net, credit_risk, ranges):
    row = int(np.flatnonzero(credit_risk.person_emp_length.to_numpy() == 123)[0])
    result = what_if(credit_risk_net, credit_risk, {}, row=row, counterfactual_columns=["person_emp_length"])
    (cf,) = result.counterfactuals
    assert cf.current == 123 and (cf.low, cf.high) == (ranges["person_emp_length"].bulk[0], 123.0)
    assert cf.to_dict()["searched"] == "the 1st-99th percentile of the training rows"
    if not cf.found:
        assert cf.note == (f"No value of person_emp_length from {cf.low:.4g} to 123 (the 1st-99th percentile of the "
                           "training rows, and this row's value) changes the decision (others held).")
    assert result.notes[-1].endswith(f"others held at the edited row's values, {SEARCHED}.")


def test_the_bundle_and_the_command_search_the_same_bulk(credit_risk_net, credit_risk_bundle, credit_risk, ranges,
                                                        capsys):
    from finmodels.models.bundle import load_bundle

    bundle = load_bundle(credit_risk_bundle)
    assert {c: r.bulk for c, r in training_ranges(bundle).items()} == {c: r.bulk for c, r in ranges.items()}
    assert main(["whatif", str(credit_risk_bundle), CREDIT_RISK_CSV, "--row", "29958"]) == 0
    text = capsys.readouterr().out
    assert f"To change the decision (one input at a time, {SEARCHED}):" in text
    assert main(["whatif", str(credit_risk_bundle), CREDIT_RISK_CSV, "--row", "29958", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    direct = what_if(credit_risk_net, credit_risk, {}, row=29958)
    assert [c["note"] for c in out["counterfactuals"]] == [c.note for c in direct.counterfactuals]


# --- (8) one background for the dashboard and the commands -------------------------------------------------------

def test_the_dashboard_and_the_whatif_command_give_a_row_the_same_contributions(credit_risk_net, credit_risk_bundle,
                                                                               credit_risk, capsys):
    from finmodels.explain.background import DEFAULT_BACKGROUND_ROWS
    from finmodels.runtime.worker import whatif_run

    assert len(credit_risk_net.frame) == len(credit_risk)  # the dashboard's row numbers are the file's
    for row in (29958, 81):
        dashboard = whatif_run(credit_risk_net, {}, row=row)  # as the Explain page's what-if calls it
        assert main(["whatif", str(credit_risk_bundle), CREDIT_RISK_CSV, "--row", str(row), "--json"]) == 0
        command = json.loads(capsys.readouterr().out)
        e = dashboard.explanation
        assert e.background_rows == DEFAULT_BACKGROUND_ROWS == 100
        assert command["base_value"] == pytest.approx(e.base_value, abs=1e-7)
        contributions = {c["column"]: c["contribution_before"] for c in command["contributions"]}
        np.testing.assert_allclose([contributions[c] for c in e.columns], e.values[0], rtol=0, atol=1e-6)


def test_the_explain_page_and_the_explain_command_give_a_row_the_same_contributions(credit_risk_net,
                                                                                   credit_risk_bundle, tmp_path,
                                                                                   capsys):
    from finmodels.runtime.worker import explain_run

    page = explain_run(credit_risk_net, rows=40)  # the Explain page's defaults, on fewer test rows
    positions = [int(p) for p in page.row_ids[:6]]
    with open(CREDIT_RISK_CSV) as f:  # the same rows, as the file writes them
        lines = f.read().splitlines()
    (tmp_path / "rows.csv").write_text("\n".join([lines[0], *(lines[p + 1] for p in positions)]) + "\n")
    assert main(["explain", str(credit_risk_bundle), str(tmp_path / "rows.csv"), "--json"]) == 0
    command = json.loads(capsys.readouterr().out)
    assert command["background_rows"] == page.background_rows == 100
    assert command["base_value"] == pytest.approx(page.base_value, abs=1e-7)
    by_row = {r["file_row"] - 2: r["contributions"] for r in command["rows"]}
    assert sorted(by_row) == list(range(len(positions)))
    for i in range(len(positions)):
        np.testing.assert_allclose([by_row[i][c] for c in page.columns], page.values[i], rtol=0, atol=1e-6)


# --- (9) a probability waterfall stays within [0, 1] -----------------------------------------------------------

def test_bars_wait_until_the_running_total_has_room():
    assert bounded_steps(0.5, [("a", 0.6), ("b", -0.3), ("c", 0.1)], scale="probability") == [
        ("b", -0.3), ("a", 0.6), ("c", 0.1)]
    # a rise and a fall that only fit together are one bar, labelled with both
    assert bounded_steps(0.5, [("a", 0.9), ("b", -0.9)], scale="probability") == [
        ("a (+0.900) with b (-0.900)", 0.0)]
    assert bounded_steps(0.5, [("a", 0.9), ("b", -0.9)], scale="log-odds") == [("a", 0.9), ("b", -0.9)]


def test_the_explain_page_waterfall_stays_within_0_and_1(credit_risk_net):
    from finmodels.runtime.worker import explain_run

    e = explain_run(credit_risk_net)  # the Explain page's explanation: 1,000 test rows
    assert e.scale == "probability"
    before = 0
    for i in range(len(e.predictions)):
        order = np.argsort(-np.abs(e.values[i]))
        largest_first = e.base_value + np.cumsum([*e.values[i][order[:10]], e.values[i][order[10:]].sum()])
        before += bool(largest_first.min() < 0 or largest_first.max() > 1)
        w = plot_waterfall(e, i).data[0]
        totals = w.x[0] + np.cumsum(w.x[1:-1])
        assert totals.min() >= 0 and totals.max() <= 1, (i, list(w.y))
        assert totals[-1] == pytest.approx(e.base_value + e.values[i].sum(), abs=1e-12)
        assert w.x[-1] == pytest.approx(totals[-1], abs=1e-5)  # the prediction: SHAP's additivity
    assert before >= 10  # the largest-first order, as the chart drew it, passed 1 or 0 on 24 of these rows
    fig = plot_waterfall(e, 0)
    assert fig.layout.title.subtitle.text == ("SHAP contributions, probability scale: they add up from the base value "
                                              "to the prediction.<br>Bars largest first, but one that would take the "
                                              "total past 0 or 1 waits until there is room.")


def test_the_whatif_waterfalls_stay_within_0_and_1(credit_risk_net, credit_risk):
    from finmodels.plots.whatif import plot_whatif_waterfalls

    # row 3621 of the file: the Explain page's largest-first waterfall of it fell to -0.007 midway
    result = what_if(credit_risk_net, credit_risk, {"person_income": 200000}, row=3621)
    fig = plot_whatif_waterfalls(result)
    for trace, state in zip(fig.data, (result.before, result.after)):
        totals = trace.x[0] + np.cumsum(trace.x[1:-1])
        assert totals.min() >= 0 and totals.max() <= 1
        assert totals[-1] == pytest.approx(state["score"], abs=1e-5) and trace.x[-1] == state["score"]
    assert fig.layout.title.subtitle.text.startswith("SHAP contributions, probability scale: they add up from the base "
                                                     "value to the score. Bars largest first, but one that would take")


def test_whatif_panels_drawn_in_different_orders_name_their_own_bars():
    from finmodels.explain.explanation import Explanation
    from finmodels.explain.whatif import WhatIf
    from finmodels.plots.whatif import plot_whatif_waterfalls

    data = pd.DataFrame({"a": [1, 2], "b": [3, 3], "c": [5, 5], "d": [7, 7]})
    values = np.array([[0.5, 0.4, -0.3, 0.1], [0.05, 0.4, -0.3, 0.1]])  # before: 0.2 + 0.5 + 0.4 passes 1
    e = Explanation("DeepExplainer", list(data.columns), values, 0.2, 0.2 + values.sum(axis=1), data, 2, 0.1,
                    output_name="default probability")
    fig = plot_whatif_waterfalls(WhatIf(0, "row 0", {"a": (1, 2)}, {"score": 0.9}, {"score": 0.45}, e, None))
    assert list(fig.data[0].y) == ["Base value", "a = 1 *", "c = 5", "b = 3", "d = 7", "Score"]
    assert list(fig.data[1].y) == ["Base value", "a = 2 *", "b = 3", "c = 5", "d = 7", "Score"]
    assert fig.layout.yaxis2.showticklabels is not False and fig.layout.yaxis.ticktext is None
    np.testing.assert_allclose(0.2 + np.cumsum(fig.data[0].x[1:-1]), [0.7, 0.4, 0.8, 0.9])


# --- the command's what-if recomputes derived columns, as the dashboard's does ----------------------------------

def test_the_whatif_command_recomputes_loan_percent_income(credit_risk_bundle, credit_risk, capsys):
    """loan_percent_income is loan_amnt / person_income in the data. A new loan amount from the command line
    recomputes it, from the bundle's kept training rows (the dashboard finds the rule in the run's); `--keep-derived`
    scores the value as given. Line 2 of the file: 35,000 on an income of 59,000, so 0.59."""
    assert credit_risk.loc[0, ["loan_amnt", "person_income", "loan_percent_income"]].tolist() == [35000, 59000, 0.59]
    args = ["whatif", str(credit_risk_bundle), CREDIT_RISK_CSV, "--row", "0", "--set", "loan_amnt=10000"]
    assert main([*args, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["changes"]["loan_percent_income"] == {"before": 0.59, "after": 0.17}
    assert out["recomputed"] == ["loan_percent_income recomputed as loan_amnt / person_income: 0.59 → 0.17."]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "  loan_percent_income: 0.59 -> 0.17\n" in text
    assert "  (loan_percent_income recomputed as loan_amnt / person_income: 0.59 → 0.17.)\n" in text
    assert main([*args, "--keep-derived", "--json"]) == 0
    kept = json.loads(capsys.readouterr().out)
    assert "loan_percent_income" not in kept["changes"] and kept["recomputed"] == []
    assert kept["after"]["score"] != out["after"]["score"]

"""The HTML report and the charts by task kind, on a real German credit run."""

import numpy as np

from finmodels.delivery.report import (Decision, build_report, config_table, data_summary, decision_tables,
                                       event_phrase, held_out_labels, metrics_table, run_figures)
from finmodels.evaluation.thresholds import CostMatrix, confusion_at


def test_binary_run_has_the_risk_charts_with_baselines_beside(german_run):
    figs = run_figures(german_run)
    assert list(figs) == ["ROC", "Precision-recall", "KS", "Calibration", "Gain", "Lift", "Score distribution", "Loss"]
    names = [t.name for t in figs["ROC"].data]
    assert names[0].startswith("Neural network (AUC ")
    assert any(n.startswith("Logistic regression") for n in names)
    assert names[0] == f"Neural network (AUC {german_run.metrics['roc_auc']:.3f})"


def test_tables_name_the_settings_and_the_data(german_run):
    config = config_table(german_run).set_index("setting")["value"]
    assert config["target column"] == "creditability" and config["Dense network (MLP): units"] == "16"
    # the blended cross networks' own settings, at their defaults, beside the dense network's
    dcn = "Deep & cross network (DCN-V2)"
    assert (config[f"{dcn}: rank"], config[f"{dcn}: units"], config[f"{dcn}: cross layers"]) == ("32", "64", "3")
    # the settings the run used, not "(default)", where the configuration left them to the defaults
    assert config["batch size"] == str(german_run.settings.batch_size)
    assert config["learning-rate schedule"] == "constant"
    assert config["preprocessing"].startswith("auto scaling; ")
    summary = data_summary(german_run).set_index("item")["value"]
    assert summary["rows used"] == "1000" and summary["share of 'bad'"] == "30.0%"
    assert summary["test rows"] == str(len(held_out_labels(german_run)))
    assert list(metrics_table(german_run).columns)[0] == "Neural network"


def test_report_escapes_names_from_the_data_and_embeds_plotly(german_run):
    html = build_report(german_run, data_name="<script>alert(1)</script>.csv")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;.csv" in html
    assert html.split("<h2>Charts</h2>")[1].count("<h3>") == len(run_figures(german_run))
    assert f"{german_run.metrics['roc_auc']:.4f}" in html
    assert "<script src=" not in html


def test_report_with_an_explanation_lists_reason_codes(german_run):
    from finmodels.explain.explanation import explain_result

    explanation = explain_result(german_run, rows=50, background=50)
    html = build_report(german_run, data_name="german.csv", explanation=explanation)
    top = int(np.argmax(explanation.predictions))
    assert explanation.reason_codes(top)[0].replace("'", "&#x27;") in html
    assert "What drives the model" in html


def test_the_settings_are_those_that_apply_to_the_task_and_the_features_those_used(german_run):
    config = config_table(german_run).set_index("setting")["value"]
    for setting in ("window", "var_level", "horizon", "holdings", "risk_aversion", "cap"):
        assert setting not in config.index
    assert config["class weights"] == "none (every row weighs the same)" and config["split"] == "random"
    used = german_run.features
    assert config["inputs"] == f"{len(used)}: {', '.join(used)}"


def test_the_configuration_names_the_network_and_its_settings_in_words(german_run):
    """The report said 'arch mlp' for a blend of dense and deep & cross networks, and listed the settings' code names
    ('class_weight', 'piecewise_knots 8', 'woe_inputs False'); the baselines were said to share the network's
    preprocessing, while the scorecard bins the raw columns (a new user's findings on taiwan_default.csv)."""
    from finmodels.delivery.runs import network_name

    config = config_table(german_run).set_index("setting")["value"]
    members = german_run.settings.members
    assert network_name("mlp", ["mlp", "dcn"]) == "Blend: dense + deep & cross"  # as the Runs page names the run
    assert config["network"] == (f"Blend: dense + deep & cross networks, {members} cross-fitted of each "
                                 f"({2 * members} networks)")
    assert config.index[0] == "network" and "arch" not in config.index and "blend" not in config.index
    assert not [s for s in config.index if "_" in s]  # no code names ('batch_size', 'mlp: batch_norm')
    assert config["task"] == "Credit default" and config["test rows (share)"] == "20%"
    assert config["risk event"] == "'bad'"  # the run's event as the decision table names it, not '(default)'
    assert event_phrase("default_payment_next_month", 1) == "default_payment_next_month = 1"  # Taiwan's
    prep = german_run.settings.preprocessing  # German's 640 training rows: no knots, no codes, weight of evidence on
    assert (prep.piecewise_knots, prep.code_levels, prep.woe_inputs) == (0, 0, True)
    assert config["preprocessing"] == ("auto scaling; no piecewise-linear encoding; no one-hot codes for whole "
                                       "numbers; missing-value indicators on; weight-of-evidence inputs on")
    html = build_report(german_run, data_name="german_credit.csv")
    assert "the same preprocessing" not in html
    assert ("Baselines are trained on the same split. Logistic regression and Gradient boosting: on the network&#x27;s "
            "inputs, preprocessed the same way. Scorecard: bins the raw columns in their own units") in html


def test_the_report_carries_the_chosen_threshold_costs_and_confusion_matrix(german_run):
    decision = Decision(0.3, CostMatrix(false_negative=4, false_positive=1.5))
    rule, matrix = decision_tables(german_run, decision)
    rule = rule.set_index("item")["value"]
    assert rule["threshold"] == "0.30 (set on the Evaluate page); rows scored at or above it are flagged"
    assert rule["cost of a missed 'bad' (false negative)"] == "4"
    assert rule["cost of a false alarm (false positive)"] == "1.5"
    expected = confusion_at(held_out_labels(german_run), german_run.test_scores, 0.3)
    assert matrix.to_numpy().tolist() == expected.tolist()
    assert list(matrix.index) == ["actual not 'bad'", "actual 'bad'"]
    html = build_report(german_run, data_name="german.csv", decision=decision)
    assert "<h2>Decision</h2>" in html and "Confusion matrix at threshold 0.30 (test rows)" in html
    assert "0.30 (set on the Evaluate page)" in html


def test_without_a_chosen_threshold_the_report_says_it_used_the_least_cost_one(german_run):
    html = build_report(german_run, data_name="german.csv")
    assert "(the least-cost threshold at the default costs (none was set on the Evaluate page))" in html


def test_the_report_carries_the_scored_files_flags_and_drift(german_run, german):
    from finmodels.delivery.scoring import score_file

    scored = score_file(german_run, german.drop(columns="creditability").head(200), threshold=0.3)
    html = build_report(german_run, data_name="german.csv", scored=("new_loans.csv", scored))
    assert "<h2>Scored file: new_loans.csv</h2>" in html
    assert f"200 rows scored; {scored.flagged:,} flagged at threshold 0.30." in html
    assert "Population stability against the training rows" in html
    stability = html.split("Population stability against the training rows")[1]
    first = scored.stability.iloc[0]
    assert first["name"] == "score"
    assert f"<td>score</td>\n      <td>{first['psi']:.3f}</td>\n      <td>{first['band']}</td>" in stability


def test_a_01_event_is_named_by_its_column(german_run):
    import dataclasses

    coded = dataclasses.replace(german_run, event_label="1",
                                config=dataclasses.replace(german_run.config, target="dlq"))
    summary = data_summary(coded).set_index("item")["value"]
    assert "share of dlq = 1" in summary.index


def test_the_least_cost_grid_point_is_the_cheapest_slider_step():
    import numpy as np

    from finmodels.evaluation.thresholds import CostMatrix, decisions_at, least_cost_on_grid

    y = np.array([0, 0, 0, 1, 1, 0, 1, 0, 0, 1])
    s = np.array([0.05, 0.1, 0.174, 0.1803, 0.5, 0.179, 0.9, 0.3, 0.6, 0.7])
    costs = CostMatrix(5, 1)
    grid = least_cost_on_grid(y, s, costs=costs)
    every = {t: decisions_at(y, s, t, costs=costs).cost for t in np.round(np.arange(0, 1.001, 0.01), 2)}
    assert grid == min(every, key=every.get) == 0.18


def test_the_report_flags_a_driver_that_describes_the_record(agency_rating_run):
    """A rating model driven by who rated the company: the report says so, as the Explain page and the document do."""
    from finmodels.explain.explanation import explain_result

    explanation = explain_result(agency_rating_run, rows=40, background=30, target_class="BBB")
    html = build_report(agency_rating_run, data_name="corporate_rating.csv", explanation=explanation)
    assert "<p class='flag'>&#x27;Rating Agency Name&#x27; is the model&#x27;s" in html
    assert "describes the record, not the borrower" in html and ".flag{" in html

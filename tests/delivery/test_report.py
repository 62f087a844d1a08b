"""The HTML report and the charts by task kind, on a real German credit run."""

import numpy as np

from finmodels.delivery.report import build_report, config_table, data_summary, held_out_labels, metrics_table, run_figures


def test_binary_run_has_the_risk_charts_with_baselines_beside(german_run):
    figs = run_figures(german_run)
    assert list(figs) == ["ROC", "Precision-recall", "KS", "Calibration", "Gain", "Lift", "Score distribution", "Loss"]
    names = [t.name for t in figs["ROC"].data]
    assert names[0].startswith("Neural network (AUC ")
    assert any(n.startswith("Logistic regression") for n in names)
    auc = float(names[0].split("AUC ")[1].rstrip(")"))
    assert abs(auc - german_run.metrics["roc_auc"]) < 0.01


def test_tables_name_the_settings_and_the_data(german_run):
    config = config_table(german_run).set_index("setting")["value"]
    assert config["target"] == "creditability" and config["network: units"] == "16"
    # the settings the run used, not "(default)", where the configuration left them to the defaults
    assert config["batch_size"] == str(german_run.settings.batch_size) and config["lr_schedule"] == "constant"
    assert "scaler auto" in config["preprocessing"] and "target_knots 0" in config["preprocessing"]
    summary = data_summary(german_run).set_index("item")["value"]
    assert summary["rows used"] == "1000" and summary["share of 'bad'"] == "30.0%"
    assert summary["test rows"] == str(len(held_out_labels(german_run)))
    assert list(metrics_table(german_run).columns)[0] == "Neural network"


def test_report_escapes_names_from_the_data_and_embeds_plotly(german_run):
    html = build_report(german_run, data_name="<script>alert(1)</script>.csv")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;.csv" in html
    assert html.count("<h3>") == len(run_figures(german_run))
    assert f"{german_run.metrics['roc_auc']:.4f}" in html
    assert "<script src=" not in html


def test_report_with_an_explanation_lists_reason_codes(german_run):
    from finmodels.explain.explanation import explain_result

    explanation = explain_result(german_run, rows=50, background=50)
    html = build_report(german_run, data_name="german.csv", explanation=explanation)
    top = int(np.argmax(explanation.predictions))
    assert explanation.reason_codes(top)[0].replace("'", "&#x27;") in html
    assert "What drives the model" in html

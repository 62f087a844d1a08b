"""Page tests with Streamlit's AppTest: widgets driven by key, rendered elements asserted."""

import time
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from finmodels.data.samples import sample_bytes
from ui.state import Dataset

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 120


def page(name: str, state: dict | None = None) -> AppTest:
    """Open `name` as a user would: through the app's entrypoint, so page links resolve."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    for key, value in (state or {}).items():
        at.session_state[key] = value
    at.run()
    if name != "app.py":
        at.switch_page(name).run()
    return at


def test_home_loads_a_sample_in_one_click():
    at = page("app.py")
    assert not at.exception
    assert at.title[0].value == "Risk model studio"
    # the steps say what a price file gets too (a market-risk analyst read credit only: trial 6)
    said = " ".join(e.value for e in [*at.markdown, *at.caption])
    assert "daily prices of one or many tickers" in said and "VaR backtest (Kupiec, Christoffersen, Basel zone)" in said
    at.button(key="home_load").click().run()
    assert not at.exception
    assert at.session_state["dataset"].frame.shape == (1000, 21)


def test_data_page_upload_previews_and_picks_the_target():
    at = page("pages/1_Data.py")
    assert any("Upload a CSV file" in i.value for i in at.info)
    at.get("file_uploader")[0].set_value(("german_credit.csv", sample_bytes("german_credit"), "text/csv")).run()
    assert not at.exception
    assert at.session_state["dataset"].name == "german_credit.csv"
    assert at.selectbox(key="data_target").value == "creditability"
    assert at.radio[0].value == "bad"
    assert any("'bad' in 30.0% of rows" in c.value for c in at.caption)


def test_data_page_bad_upload_is_a_message_not_a_traceback():
    at = page("pages/1_Data.py")
    at.get("file_uploader")[0].set_value(("empty.csv", b"a,b\n", "text/csv")).run()
    assert not at.exception
    assert any("header but no data rows" in e.value for e in at.error)


def test_train_without_data_points_to_the_data_page():
    at = page("pages/2_Train.py")
    assert not at.exception
    assert any("No data loaded yet" in i.value for i in at.info)


def wait_for_job(at: AppTest, *, epochs: int | None = None, timeout: float = TIMEOUT) -> None:
    """Wait on the session's training thread (its state, not a sleep), then rerun the page to collect it."""
    job = at.session_state["train_job"]
    deadline = time.monotonic() + timeout
    if epochs is not None:
        while job.epochs_done < epochs and job.running and time.monotonic() < deadline:
            time.sleep(0.05)
        assert job.epochs_done >= epochs, f"{job.epochs_done} of {epochs} epochs done when the wait ended"
        return
    assert job.wait(timeout), "training did not finish"
    at.run()


def one_network(at: AppTest) -> AppTest:
    """The Train form set to one network and no blend where it offers them (table rows with a target): the page
    tests read what follows a run, where ten cross-fitted networks would only cost time (the default ensemble on
    the pages: test_sessions' progress test, test_browser's run)."""
    if any(w.key == "train_arch" for w in at.selectbox) and at.selectbox(key="train_arch").value == "blend":
        at.selectbox(key="train_arch").set_value("mlp")  # the default blend is its own choice: one network
    if any(w.key == "train_members" for w in at.number_input):
        at.number_input(key="train_members").set_value(1)
        if any(w.key == "train_blend" for w in at.selectbox):  # shown beside one network (the blend has none)
            at.selectbox(key="train_blend").set_value("none")
    return at


def train_tiny(at: AppTest, *, units: str = "16", epochs: int = 30) -> AppTest:
    one_network(at)
    at.text_input(key="train_units").set_value(units)
    at.number_input(key="train_epochs").set_value(epochs)
    at.button(key="FormSubmitter:train_form-Train").click().run()
    assert not at.exception
    wait_for_job(at)
    assert not at.exception
    return at


@pytest.fixture(scope="module")
def trained_state():
    """Train a tiny model through the Train page; later page tests reuse its session state."""
    home = page("app.py")
    home.button(key="home_load").click().run()
    at = page("pages/2_Train.py", {"dataset": home.session_state["dataset"], "target": "creditability",
                                   "event_label": "bad"})
    return train_tiny(at)


def kept(at: AppTest) -> dict:
    """The analyst's session state, carried to a page opened afresh: their data, run and workspace area."""
    keys = ("dataset", "target", "event_label", "run", "runs", "_session_area")
    return {k: at.session_state[k] for k in keys if k in at.session_state}


def test_train_page_trains_in_the_background_and_shows_metrics(trained_state):
    at = trained_state
    labels = [m.label for m in at.metric]
    assert labels == ["ROC AUC", "Gini", "KS", "PR AUC", "Brier score"]
    auc = float(at.metric[0].value)
    assert 0.7 < auc <= 1.0
    run = at.session_state["run"]
    # the line above the tiles names the baseline each delta is against, the best one on that metric; the tile
    # itself has no description beside its delta (it was cut to 'vs gradient b...' in a fifth of the page)
    best = max(run.baselines, key=lambda k: run.baselines[k].metrics["roc_auc"])
    named = {"logistic_regression": "logistic regression", "hist_gradient_boosting": "gradient boosting",
             "scorecard": "scorecard"}[best]
    compared = [c.value for c in at.caption if c.value.startswith("Under each metric: the network minus the best")]
    assert len(compared) == 1 and (f"which is {named} for all 5 metrics." in compared[0] or f"{named} on ROC AUC" in compared[0])
    assert at.metric[0].proto.delta_description == ""
    assert len(at.metric[0].proto.delta) <= 7  # '-0.0046', not '-0.00457 vs gradient boosting'
    assert float(at.metric[0].proto.delta) == pytest.approx(auc - run.baselines[best].metrics["roc_auc"], abs=1e-3)
    assert at.metric[0].help.startswith(f"The best baseline on this metric: {named.capitalize()} ")
    assert run.config.epochs == 30 and run.config.hyper.units == (16,)
    assert run.config.task == "credit_default" and run.config.arch == "mlp"
    # the schedule left on auto is the one measured for 1,000 rows, and the form says which
    assert run.config.lr_schedule is None and run.settings.lr_schedule == "constant"
    assert at.selectbox(key="train_schedule").format_func("auto") == "auto (constant)"
    assert len(at.session_state["runs"]) == 1
    assert len(at.get("plotly_chart")) == 1
    # the timing line gives the network's own fit, the rest of the training and keeping the run in the workspace,
    # adding up to the run's total (its training and its saving): the total the Runs page shows
    fit, total, save = run.seconds["fit"], run.seconds["total"], run.seconds["save"]
    assert total > fit > 0 and save > 0
    whole = round(total + save, 1)
    rest = round(whole - round(fit, 1) - round(save, 1), 1)
    assert any(f"network fit {fit:.1f} s + preprocessing, scoring and baselines {rest:.1f} s + saving the run "
               f"{save:.1f} s = {whole:.1f} s in total" in c.value for c in at.caption)


def test_changing_an_unrelated_widget_does_not_retrain(trained_state):
    at = trained_state
    run = at.session_state["run"]
    at.number_input(key="train_seed").set_value(3).run()
    at.selectbox(key="train_arch").set_value("mlp").run()
    assert not at.exception
    assert at.session_state["run"] is run
    assert not at.session_state["train_job"].running
    assert len(at.session_state["runs"]) == 1


def test_settings_survive_a_page_switch(trained_state):
    at = trained_state
    at.selectbox(key="train_task").set_value("delinquency").run()
    at.switch_page("pages/3_Evaluate.py").run()
    at.switch_page("pages/2_Train.py").run()
    assert at.selectbox(key="train_task").value == "delinquency"
    assert at.text_input(key="train_units").value == "16"  # submitted with the fixture's run
    assert at.number_input(key="train_epochs").value == 30
    at.selectbox(key="train_task").set_value("credit_default").run()


def test_stop_ends_training_after_the_current_epoch_and_keeps_the_model(german):
    # slow on purpose, so the run is still going when Stop is pressed (fastfit trains German credit's 8 units for
    # 500 epochs in 2 s): ten copies of the rows, two wide layers, batches of 8, about 0.2 s an epoch here and
    # at least 200 epochs before early stopping could end it
    many = pd.concat([german] * 10, ignore_index=True)
    at = page("pages/2_Train.py", {"dataset": Dataset("German credit x10", many), "target": "creditability",
                                   "event_label": "bad"})
    at.text_input(key="train_units").set_value("256, 256")
    at.number_input(key="train_batch").set_value(8)
    at.number_input(key="train_epochs").set_value(1000)
    at.number_input(key="train_patience").set_value(200)
    at.selectbox(key="train_schedule").set_value("reduce_on_plateau")
    at.button(key="FormSubmitter:train_form-Train").click().run()
    wait_for_job(at, epochs=2)
    # another file loaded while the run trains: the progress panel still names the file the run trains on
    at.session_state["dataset"] = Dataset("other_loans.csv", german.head(100))
    at.run()
    captions = [c.value for c in at.caption]
    # the default blend is named as one (a new user's finding: the header said 'Dense network (MLP)' while the line
    # below counted deep & cross networks)
    assert ("Training: Blend of dense networks (MLP) + deep & cross networks (DCN-V2) for 'creditability' (Credit "
            "default) on **German credit x10**") in captions
    assert any(c.startswith("Data: **other_loans.csv**") for c in captions)
    at.button(key="train_stop").click().run()
    assert not at.exception
    wait_for_job(at)
    run = at.session_state["run"]
    assert run.stopped_early
    assert run.config.lr_schedule == run.settings.lr_schedule == "reduce_on_plateau"
    assert 2 <= len(run.history["loss"]) < 200
    assert any("stopped by you" in c.value for c in at.caption)


def test_bad_layer_sizes_are_a_message_not_a_traceback(trained_state):
    at = page("pages/2_Train.py", kept(trained_state))
    at.text_input(key="train_units").set_value("64, many")
    at.button(key="FormSubmitter:train_form-Train").click().run()
    assert not at.exception
    assert any("whole numbers separated by commas" in e.value for e in at.error)


def test_evaluate_page_shows_the_network_beside_the_baselines(trained_state):
    at = page("pages/3_Evaluate.py", kept(trained_state))
    assert not at.exception
    assert at.metric[0].label == "ROC AUC"
    table = at.dataframe[0].value
    assert list(table.columns) == ["Neural network", "Logistic regression", "Gradient boosting", "Scorecard"]


def test_the_threshold_follows_the_costs_and_reaches_the_report(trained_state):
    from finmodels.evaluation.threshold_basis import threshold_basis
    from finmodels.evaluation.thresholds import CostMatrix, decisions_at, least_cost_on_grid, least_cost_threshold

    keep = kept(trained_state)
    run = keep["run"]
    y, scores = run.y_test, run.test_scores
    at = page("pages/3_Evaluate.py", keep)
    assert not at.exception
    caption = next(c.value for c in at.caption if c.value.startswith("Rows scored at or above the threshold"))
    assert "German credit" not in caption
    assert "it starts at 5 for a missed 'bad' and 1 for a false alarm, a common credit-risk default" in caption
    # chosen on the run's out-of-fold (or validation) scores, never on the test rows its cost is shown on
    basis = threshold_basis(run)
    start = least_cost_on_grid(basis.labels, basis.scores, costs=CostMatrix(5, 1))
    assert at.slider(key="evaluate_threshold").value == start
    # at the slider's starting point the cost is the least the grid allows: no "+0.025 vs least cost" on arrival
    exact = least_cost_threshold(basis.labels, basis.scores, costs=CostMatrix(5, 1))
    assert decisions_at(basis.labels, basis.scores, start, costs=CostMatrix(5, 1)).cost <= exact.value + 0.01
    assert not next(m for m in at.metric if m.label == "Expected cost per row").delta  # no penalty on arrival
    assert any(c.value.startswith("Logistic regression and gradient boosting learn from the network's own "
                                  "preprocessed inputs; the scorecard bins the raw columns itself. Accuracy, precision, "
                                  "recall and F1 are at threshold 0.5") for c in at.caption)
    at.number_input(key="evaluate_fn_cost").set_value(1.0).run()
    at.number_input(key="evaluate_fp_cost").set_value(3.0).run()
    moved = least_cost_on_grid(basis.labels, basis.scores, costs=CostMatrix(1, 3))
    assert moved != start
    assert at.slider(key="evaluate_threshold").value == moved
    # the analyst's own threshold stays, across a visit to another page, until the costs change again
    at.slider(key="evaluate_threshold").set_value(0.42).run()
    extra = (decisions_at(y, scores, 0.42, costs=CostMatrix(1, 3)).cost
             - decisions_at(y, scores, moved, costs=CostMatrix(1, 3)).cost)
    delta = next(m for m in at.metric if m.label == "Expected cost per row").delta
    assert delta == f"{extra:+.3f} vs the least-cost threshold" if abs(extra) > 5e-4 else not delta
    at.switch_page("pages/7_Report.py").run()
    assert any("the decision at threshold 0.42 with its cost matrix and confusion matrix" in m.value
               for m in at.markdown)
    at.button(key="report_build").click().run()
    assert not at.exception
    html = at.session_state["report_html"]
    assert "0.42 (set on the Evaluate page)" in html and "Confusion matrix at threshold 0.42 (test rows)" in html
    assert "<td>cost of a false alarm (false positive)</td>\n      <td>3</td>" in html
    at.switch_page("pages/3_Evaluate.py").run()
    assert at.slider(key="evaluate_threshold").value == 0.42
    assert at.number_input(key="evaluate_fp_cost").value == 3.0
    assert at.session_state["threshold"] == 0.42


def test_explain_page_shows_the_importance_chart_in_original_columns(trained_state):
    keep = kept(trained_state)
    at = page("pages/4_Explain.py", keep)
    assert not at.exception
    assert sorted(at.session_state["explanation"].columns) == sorted(
        c for c in keep["dataset"].frame.columns if c != "creditability")
    assert len(at.get("plotly_chart")) >= 1




def new_file_bytes(german) -> bytes:
    frame = german.drop(columns="creditability").head(120).copy()
    frame.loc[0, "purpose"] = '=HYPERLINK("http://x.example","click")'  # a hostile cell from a source system
    return frame.to_csv(index=False).encode("utf-8")


def test_score_page_scores_an_uploaded_file_with_reasons_drift_and_an_escaped_csv(trained_state, german):
    at = page("pages/5_Score.py", kept(trained_state))
    assert not at.exception
    at.slider(key="score_threshold").set_value(0.3).run()
    at.get("file_uploader")[-1].set_value(("new_loans.csv", new_file_bytes(german), "text/csv")).run()
    assert not at.exception, at.exception
    _, name, scored = at.session_state["scored"]
    assert name == "new_loans.csv" and len(scored.table) == 120
    assert scored.threshold == 0.3
    probability = scored.table["probability of 'bad'"]
    assert ((probability >= 0.3) == (scored.table["decision"] == "bad")).all()
    flagged = scored.table["decision"] == "bad"
    codes = scored.table["reason codes"].fillna("")
    assert flagged.any() and (~flagged).any()
    # every flagged row says why, in the data's own columns; a row not flagged needs no reason
    assert codes[flagged].str.contains("raised default probability").all()
    assert (codes[~flagged] == "").all()
    assert scored.stability["name"].iloc[0] == "score"
    assert set(scored.stability["band"]) <= {"stable", "moderate shift", "major shift"}
    assert len(at.get("plotly_chart")) == 2
    csv = at.get("download_button")
    assert any("scored rows" in b.proto.label for b in csv)
    # 120 rows are too few to read PSI's bands: the page says so above the chart
    assert any(w.value.startswith("PSI on 120 rows is mostly noise: with 10 bins, rows drawn from the training "
                                  "population itself score 0.07 or more by chance") for w in at.warning)


def test_score_page_refuses_a_file_without_the_training_columns(trained_state):
    at = page("pages/5_Score.py", kept(trained_state))
    at.get("file_uploader")[-1].set_value(("other.csv", b"a,b\n1,2\n3,4\n", "text/csv")).run()
    assert not at.exception
    assert any("lacks 20 of the 20 columns" in e.value for e in at.error)


def test_score_page_saves_a_bundle_and_scores_with_it_loaded_back(trained_state, german):
    at = page("pages/5_Score.py", kept(trained_state))
    at.button(key="score_prepare_bundle").click().run()
    assert not at.exception
    saved = at.session_state["bundle_bytes"][1]  # (run id, the zip)
    assert saved[:2] == b"PK"
    at.radio(key="score_source").set_value("bundle").run()
    at.get("file_uploader")[0].set_value(("model.zip", saved, "application/zip")).run()
    assert not at.exception
    assert any("expects 20 columns" in s.value for s in at.success)
    at.get("file_uploader")[-1].set_value(("new_loans.csv", new_file_bytes(german), "text/csv")).run()
    assert not at.exception
    scored = at.session_state["scored"][2]
    assert len(scored.table) == 120
    # drift is measured against all training rows, whose distribution the bundle stores (not its 200-row sample)
    assert "(their distribution, stored in the bundle)" in " ".join(scored.notes)


def test_score_page_refuses_a_foreign_bundle_with_a_message(trained_state):
    at = page("pages/5_Score.py", kept(trained_state))
    at.radio(key="score_source").set_value("bundle").run()
    at.get("file_uploader")[0].set_value(("model.zip", b"PK\x03\x04 not really a zip", "application/zip")).run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "This is not a model bundle: the file is not a zip archive (it may be truncated or another kind of file). "
        "Choose a bundle saved by this tool."]


def test_runs_page_lists_the_workspace_runs_compares_promotes_and_deletes(trained_state):
    run = trained_state.session_state["run"]
    at = page("pages/6_Runs.py", kept(trained_state))
    assert not at.exception
    listed = at.dataframe[0].value
    row = listed[listed["run"] == run.run_id[:8]].iloc[0]
    assert (row["task"], row["network"], row["metric"], row["from"]) == (
        "Credit default", "Dense network (MLP)", "ROC AUC", "dashboard")  # the task and network by their labels
    assert row["value"] == pytest.approx(run.metrics["roc_auc"])
    assert row["data file"] == run.data_info["name"]
    table = at.dataframe[1].value  # the comparison, the trained run among the chosen
    assert any(label.startswith(run.run_id[:8]) for label in table.columns)  # a column per run, metrics as rows
    assert "ROC AUC" in table.index
    assert len(at.get("plotly_chart")) == 1
    at.selectbox(key="runs_current").set_value(run.run_id).run()
    at.button(key="runs_promote").click().run()
    assert not at.exception
    listed = at.dataframe[0].value
    assert listed[listed["run"] == run.run_id[:8]].iloc[0]["role"] == "★ champion"
    # the greyed-out Promote button is explained: this run is the champion now
    assert any(c.value.startswith("This run is the champion of this area") for c in at.caption)


def test_runs_page_deletes_a_run_only_once_confirmed(trained_state, german):
    from finmodels.models.architectures import MLPConfig
    from finmodels.models.training import TrainConfig, train
    from finmodels.runtime.workspace import Workspace, data_fingerprint

    area = trained_state.session_state["_session_area"]
    spare = train(german, TrainConfig(members=1, blend=(),
                                      target="creditability", hyperparameters=MLPConfig(units=(4,)), epochs=2))
    run_id = Workspace(area=area).log_run(spare, data_name="spare.csv", data_fingerprint=data_fingerprint(german))
    at = page("pages/6_Runs.py", kept(trained_state))
    at.selectbox(key="runs_current").set_value(run_id).run()
    assert at.button(key="runs_delete").disabled
    at.checkbox(key="runs_delete_confirm").check().run()
    at.button(key="runs_delete").click().run()
    assert not at.exception
    assert run_id not in [r.run_id for r in Workspace(area=area).list_runs()]
    assert not any(label == run_id[:8] for label in at.dataframe[0].value["run"])


def test_report_page_builds_a_self_contained_html_report(trained_state):
    at = page("pages/7_Report.py", kept(trained_state))
    assert not at.exception
    at.button(key="report_build").click().run()
    assert not at.exception
    html = at.session_state["report_html"]
    assert html.startswith("<!DOCTYPE html>") and "Metrics against the baselines" in html
    assert "<script src=" not in html and len(html) > 1_000_000  # plotly.js embedded: opens offline


@pytest.mark.parametrize("name", ["pages/3_Evaluate.py", "pages/4_Explain.py", "pages/5_Score.py",
                                  "pages/6_Runs.py", "pages/7_Report.py"])
def test_pages_without_a_run_say_what_to_do(name):
    at = page(name)
    assert not at.exception
    assert any("No data loaded yet" in i.value for i in at.info) or any("Train" in i.value for i in at.info)


def test_price_file_without_target_offers_the_sequence_networks():
    from finmodels.data.samples import load_sample

    at = page("pages/2_Train.py", {"dataset": Dataset("S&P 500 index", load_sample("sp500_index")),
                                   "target": None, "task": "market_risk"})
    assert not at.exception
    assert at.selectbox(key="train_task").value == "market_risk"
    assert at.selectbox(key="train_arch").value == "lstm"
    assert at.number_input(key="train_window").value == 20
    at.selectbox(key="train_task").set_value("credit_default").run()
    assert any("none is chosen" in i.value for i in at.info)


def test_loading_another_file_forgets_the_previous_files_features_and_task():
    at = page("pages/1_Data.py")
    at.get("file_uploader")[0].set_value(("german_credit.csv", sample_bytes("german_credit"), "text/csv")).run()
    assert "purpose" in at.session_state["features"] and at.session_state["task"] == "credit_default"
    # on to Home with this session's state (AppTest switches only to pages with a file; Home is ui.home.home)
    at = page("app.py", {**kept(at), "features": at.session_state["features"], "task": at.session_state["task"]})
    assert "purpose" in at.session_state["features"] and at.session_state["task"] == "credit_default"
    at.selectbox(key="home_sample").set_value("taiwan_default")
    at.button(key="home_load").click().run()
    assert not at.exception
    assert at.session_state["dataset"].frame.shape == (30000, 25)
    at.switch_page("pages/2_Train.py").run()
    assert not at.exception
    assert at.session_state["task"] == "credit_default"
    assert "PAY_0" in at.session_state["features"] and "purpose" not in at.session_state["features"]
    assert "ID" not in at.session_state["features"]


def test_score_page_names_values_never_seen_in_training(trained_state, german):
    at = page("pages/5_Score.py", kept(trained_state))
    new = german.head(40).copy()
    new["purpose"] = new["purpose"].astype(object)
    new.loc[:6, "purpose"] = "ZZ"
    at.get("file_uploader")[-1].set_value(("odd.csv", new.to_csv(index=False).encode(), "text/csv")).run()
    assert not at.exception
    warnings = [w.value for w in at.warning]
    assert any(w.startswith("Column 'purpose' has a value never seen in training: 'ZZ' in lines 2, 3, 4, 5, 6, 7, 8. "
                            "The model has no input for such a value") for w in warnings), warnings


def test_the_report_page_adds_what_drives_the_model_without_a_visit_to_explain(credit_state):
    # a run never explained: trained_state's was, on the Explain page test, and its explanation is kept with it
    state = {k: v for k, v in credit_state.items() if k != "explanation"}
    at = page("pages/7_Report.py", state)
    assert any("not yet what drives the model" in m.value for m in at.markdown)
    at.button(key="report_explain").click().run()
    assert not at.exception and at.session_state["explanation"] is not None
    assert any("what drives the model, with reason codes" in m.value for m in at.markdown)
    at.button(key="report_build").click().run()
    html = at.session_state["report_html"]
    assert "<h2>What drives the model</h2>" in html and "Reason codes of the 3 highest-scored explained rows" in html

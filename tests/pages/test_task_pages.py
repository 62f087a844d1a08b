"""Every task kind through the pages, each on a tiny run: rating, forecast (LSTM and GRU), anomaly (VAE) and
regression. Train, then Evaluate and Report, asserting what each kind shows."""

import pandas as pd
import pytest

from finmodels.data.samples import load_sample
from finmodels.delivery.report import metrics_table
from tests.conftest import SHARED_DATASETS
from tests.pages.test_pages import page, train_tiny
from ui.results import styled_metrics
from ui.state import Dataset


def trained(dataset: Dataset, *, target, task: str, arch: str | None = None, units: str = "8", epochs: int = 3):
    at = page("pages/2_Train.py", {"dataset": dataset, "target": target, "task": task})
    assert not at.exception
    assert at.selectbox(key="train_task").value == task
    if arch is not None:
        at.selectbox(key="train_arch").set_value(arch).run()
    train_tiny(at, units=units, epochs=epochs)
    run = at.session_state["run"]
    assert run.config.task == task and (arch is None or run.config.arch == arch)
    return {k: at.session_state[k] for k in ("dataset", "target", "run", "runs")}


def report_of(state: dict) -> str:
    at = page("pages/7_Report.py", state)
    assert not at.exception
    at.button(key="report_build").click().run()
    assert not at.exception
    return at.session_state["report_html"]


def charts(at) -> list[str]:
    return list(at.session_state["evaluate_figures"][1])


@pytest.fixture(scope="module")
def rating_state():
    frame = pd.read_csv(SHARED_DATASETS / "corporate_rating.csv")
    return trained(Dataset("corporate_rating.csv", frame), target="Rating", task="credit_rating", units="16")


def test_rating_run_shows_the_rating_matrix_in_scale_order(rating_state):
    at = page("pages/3_Evaluate.py", rating_state)
    assert not at.exception
    assert [m.label for m in at.metric] == ["Accuracy", "Within one notch", "Macro F1"]
    assert charts(at)[0] == "Ratings"
    figure = at.session_state["evaluate_figures"][1]["Ratings"]
    assert list(figure.data[0].x)[:3] == ["AAA", "AA", "A"]  # agency scale order, best first
    assert any("CC, C, D are scored as one class 'CC/C/D'" in c.value for c in at.caption)
    assert not any(s.value == "Decision threshold" for s in at.subheader)  # no threshold without two classes
    html = report_of(rating_state)
    assert "<h3>Ratings</h3>" in html and "<h2>Decision</h2>" not in html
    # the configuration in words (dd456aa): a rating run's class weights, no forecast window nor VaR level
    assert "<td>class weights</td>" in html and "<td>window (days)</td>" not in html and "<td>VaR level</td>" not in html


@pytest.mark.parametrize("arch", ["lstm", "gru"])
def test_forecast_run_shows_the_var_backtest(arch):
    state = trained(Dataset("S&P 500 index", load_sample("sp500_index")), target=None, task="market_risk",
                    arch=arch, units="4", epochs=2)
    at = page("pages/3_Evaluate.py", state)
    assert not at.exception
    assert charts(at)[:2] == ["Forecast", "VaR backtest"]
    assert any(s.value == "VaR backtest" for s in at.subheader)
    tiles = {m.label: m.value for m in at.metric}
    summary = state["run"].backtest.summary()
    assert tiles["Exceptions"] == f"{summary['exceptions']:,} of {summary['days']:,}"
    assert tiles["Basel zone"] == summary["zone"].capitalize()
    assert tiles["Last 250 days"] == summary["last_250_zone"].capitalize()
    assert set(tiles) >= {"Kupiec p-value", "Christoffersen independence p"} and "None" not in tiles.values()
    # counts of days are whole numbers in the table, not 21.00
    html = styled_metrics(metrics_table(state["run"])).to_html()
    assert f">{summary['exceptions']}<" in html and f">{summary['exceptions']}.00<" not in html
    report = report_of(state)
    assert "<h3>VaR backtest</h3>" in report and "<td>window (days)</td>" in report
    assert "<td>class weights</td>" not in report


def test_anomaly_run_shows_the_most_unusual_rows(german):
    state = trained(Dataset("German credit", german), target=None, task="anomaly", arch="vae", units="8, 4")
    at = page("pages/3_Evaluate.py", state)
    assert not at.exception
    assert any(s.value == "Most unusual test rows" for s in at.subheader)
    unusual = at.dataframe[-1].value
    assert unusual.columns[0] == "anomaly score" and len(unusual) == 20
    assert unusual["anomaly score"].is_monotonic_decreasing
    assert charts(at)[0] == "Anomaly scores"
    report = report_of(state)
    assert "<h3>Anomaly scores</h3>" in report and "<h2>Decision</h2>" not in report


def test_regression_run_shows_predicted_against_actual(german):
    state = trained(Dataset("German credit", german), target="credit_amount", task="regression")
    at = page("pages/3_Evaluate.py", state)
    assert not at.exception
    assert [m.label for m in at.metric][:3] == ["RMSE", "MAE", "R²"]
    rmse = next(m for m in at.metric if m.label == "RMSE").value
    assert "e+" not in rmse and rmse.replace(",", "").isdigit()  # 2,734, not 2.73e+03
    assert charts(at)[:2] == ["Predicted vs actual", "Residuals"]
    report = report_of(state)
    assert "<h3>Predicted vs actual</h3>" in report and "<h2>Decision</h2>" not in report
    assert "<td>window (days)</td>" not in report and "<td>class weights</td>" not in report


def test_a_rating_run_is_explained_for_the_class_the_analyst_picks(rating_state):
    at = page("pages/4_Explain.py", rating_state)
    assert not at.exception
    selector = at.selectbox(key="explain_class")
    assert selector.options[:3] == ["AAA", "AA", "A"]  # scale order, best first
    assert selector.options[-1] == "CC/C/D"  # the merged rare classes
    # it starts on the rating most rows hold (BBB, 671 of 2,029), not AAA's 7
    assert selector.value == "BBB" == at.session_state["explanation"].target_class
    first = at.session_state["explanation"].target_class
    at.selectbox(key="explain_class").set_value("AA").run()
    assert not at.exception
    explained = at.session_state["explanation"]
    assert explained.target_class == "AA" and first != "AA"
    assert explained.output_name == "probability of 'AA'"
    codes = [code for row in range(len(explained.predictions)) for code in explained.reason_codes(row)]
    assert codes and all("probability of 'AA'" in code for code in codes)


def test_a_regression_run_scores_a_new_file_without_decisions(german):
    state = trained(Dataset("German credit", german), target="credit_amount", task="regression")
    at = page("pages/5_Score.py", state)
    assert not at.exception
    new = german.drop(columns=["credit_amount"]).head(50)
    at.get("file_uploader")[-1].set_value(("new.csv", new.to_csv(index=False).encode(), "text/csv")).run()
    assert not at.exception
    scored = at.session_state["scored"][2]
    assert len(scored.table) == 50 and "decision" not in scored.table
    assert scored.threshold is None
    assert not [s for s in at.slider if s.key == "score_threshold"]  # no threshold without a decision


def test_governance_opens_for_a_rating_run_and_says_fairness_needs_a_binary_one(rating_state):
    # it raised 'Labels and scores differ in length (406 labels, 3248 scores)' while keeping a binary threshold
    at = page("pages/8_Governance.py", rating_state)
    assert not at.exception
    assert any("this run is an ordinal model. Train a binary run to compare groups." in i.value for i in at.info)
    assert any(s.value == "Model document" for s in at.subheader)


def test_the_train_form_splits_a_rating_file_by_company():
    # corporate_rating rates 478 of its 593 companies several times: a random split tests companies it trained on
    frame = pd.read_csv(SHARED_DATASETS / "corporate_rating.csv")
    at = page("pages/2_Train.py", {"dataset": Dataset("corporate_rating.csv", frame), "target": "Rating",
                                   "task": "credit_rating"})
    assert not at.exception
    # the split starts by entity, as the Data page advises for this file (a new user's finding: it started random)
    assert at.selectbox(key="train_split").value == "entity"
    train_tiny(at, units="8", epochs=3)
    run = at.session_state["run"]
    assert run.config.split == "entity" and run.split.method == "grouped by entity"
    names = run.frame["Name"].to_numpy()  # the rows with a rating, as the split numbers them
    assert not set(names[run.split.train]) & set(names[run.split.test])


@pytest.mark.parametrize("name,target,task", [("corporate_rating.csv", "Rating", "credit_rating"),
                                              ("sp500_10stocks_2013_2018.csv", None, "asset_allocation")])
def test_a_train_page_opened_by_its_address_takes_the_datas_task_not_credit_default(name, target, task):
    # a reload of /Train (no Data page visit in this session) showed "Credit default" for a rating or price file
    frame = pd.read_csv(SHARED_DATASETS / name)
    at = page("pages/2_Train.py", {"dataset": Dataset(name, frame), "target": target})
    assert not at.exception
    assert at.selectbox(key="train_task").value == task

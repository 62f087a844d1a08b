"""A loss given default model through the pages: trained on the Train page from German credit with an LGD, EAD and
PD built at test time (tests/lgd_book.py; no shared file has a loss column), then Evaluate's calibration bins,
expected loss tiles and chart, fresh and read back from the workspace."""

import pytest

from finmodels.data.samples import load_sample
from finmodels.evaluation.losses import losses_of
from tests.lgd_book import lgd_book
from tests.pages.test_pages import kept, page, train_tiny
from tests.pages.test_portfolio_pages import table
from ui.state import Dataset


@pytest.fixture(scope="module")
def lgd_state():
    book = Dataset("lgd_book.csv", lgd_book(load_sample("german_credit")))
    at = page("pages/2_Train.py", {"dataset": book, "target": "lgd", "task": "loss_given_default"})
    assert not at.exception
    train_tiny(at, units="16", epochs=40)
    return kept(at)


def assert_evaluate_shows_the_losses(at, found):
    assert not at.exception
    assert "Calibration of losses" in [s.value for s in at.subheader]
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Predicted expected loss"] == f"{found.predicted_total:,.0f}"
    assert tiles["Realised expected loss"] == f"{found.realised_total:,.0f}"
    assert tiles["Predicted / realised"] == f"{found.loss_ratio:.3f}"
    shown = table(at, "predicted", "realised", "exposure")
    assert len(shown) == 10 and shown["rows"].sum() == 200
    assert shown["predicted"].tolist() == pytest.approx(found.calibration["predicted"].tolist())
    assert shown["predicted"].between(0, 1).all() and shown["realised"].between(0, 1).all()
    assert any("weighted by exposure ('ead')" in c.value for c in at.caption)
    assert any("Realised against predicted loss in 10 bins" in c.proto.spec for c in at.get("plotly_chart"))


def test_evaluate_shows_an_lgd_models_calibration_and_expected_loss(lgd_state):
    run = lgd_state["run"]
    assert run.config.task == "loss_given_default" and run.test_scores.min() >= 0 and run.test_scores.max() <= 1
    at = page("pages/3_Evaluate.py", lgd_state)
    assert_evaluate_shows_the_losses(at, losses_of(run))
    assert [m.label for m in at.metric][:3] == ["RMSE", "MAE", "R²"]


def test_a_read_back_lgd_run_shows_the_same_losses(lgd_state):
    from finmodels.runtime.workspace import Workspace

    run = lgd_state["run"]
    back = Workspace(area=lgd_state["_session_area"]).load_result(run.run_id, preprocessor=False)
    assert back.frame is None
    at = page("pages/3_Evaluate.py", {"run": back})
    assert_evaluate_shows_the_losses(at, losses_of(run))


def test_evaluate_shows_a_default_models_expected_loss_from_the_files_lgd_and_ead(german):
    from finmodels.models.architectures import MLPConfig
    from finmodels.models.training import TrainConfig, train

    run = train(lgd_book(german, outcome=True), TrainConfig(members=1, blend=(),
                                                            target="creditability", task="credit_default",
                                                           hyperparameters=MLPConfig(units=(8,)), epochs=5, seed=0))
    found = losses_of(run)
    at = page("pages/3_Evaluate.py", {"run": run.detached()})
    assert not at.exception
    subheaders = [s.value for s in at.subheader]
    assert "Expected loss (PD × LGD × EAD)" in subheaders and "Decision threshold" in subheaders
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Predicted expected loss"] == f"{found.predicted_total:,.0f}"
    assert tiles["Realised loss"] == f"{found.realised_total:,.0f}"
    assert any("bins of predicted PD, weighted by exposure ('ead')" in c.value for c in at.caption)
    assert any("Realised against predicted default rate in 10 bins" in c.proto.spec for c in at.get("plotly_chart"))

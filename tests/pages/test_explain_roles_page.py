"""A new user's trial on Taiwan (first rows of taiwan_default.csv): EDUCATION set to 'categorical' on the Data page.
The heatmap still correlated its codes; the Explain page's Dependence view drew it on a number axis and hid codes 4
to 6 as outliers; Importance showed 20 of 23 columns without naming the rest. The real pages, driven by key."""

import json

import pytest

from finmodels.data.reading import load_csv
from tests.conftest import SHARED_DATASETS
from tests.pages.test_pages import kept, page, train_tiny
from ui.state import Dataset


def figure(at, key: str) -> dict:
    return json.loads(next(c for c in at.get("plotly_chart") if key in c.proto.id).proto.spec)


@pytest.fixture(scope="module")
def coded_session():
    frame = load_csv(SHARED_DATASETS / "taiwan_default.csv").head(3000)
    at = page("pages/1_Data.py", {"dataset": Dataset("taiwan_3k.csv", frame)})
    assert "EDUCATION" in figure(at, "data_corr_chart")["data"][0]["y"]
    at.selectbox(key="data_role_column").set_value("EDUCATION").run()
    at.selectbox(key="data_role_value").set_value("categorical").run()
    at.button(key="data_role_apply").click().run()
    assert not at.exception
    heatmap = figure(at, "data_corr_chart")
    at.switch_page("pages/2_Train.py").run()
    train_tiny(at, units="8", epochs=2)
    assert at.session_state["run"].config.categories == ("EDUCATION",)
    explain = page("pages/4_Explain.py", kept(at))  # explained once, kept with the run for the tests below
    assert not explain.exception and "explanation" in explain.session_state, [e.value for e in explain.error]
    return {**kept(at), "explanation": explain.session_state["explanation"]}, heatmap


def test_the_data_pages_heatmap_leaves_out_a_column_set_to_categorical(coded_session):
    _, heatmap = coded_session
    assert "EDUCATION" not in heatmap["data"][0]["y"] and "MARRIAGE" in heatmap["data"][0]["y"]
    assert heatmap["layout"]["title"]["subtitle"]["text"] == (
        "Left out, set to 'categorical' (codes without an order): EDUCATION.")


def test_the_dependence_view_draws_a_categorical_code_per_level(coded_session):
    at = page("pages/4_Explain.py", coded_session[0])
    at.segmented_control(key="explain_view").set_value("Dependence").run()
    at.selectbox(key="explain_dependence_column").set_value("EDUCATION").run()
    assert not at.exception
    assert not [t for t in at.toggle if t.key == "explain_dependence_all"]  # no outliers to include among codes
    spec = figure(at, "explain_dependence")
    explanation = at.session_state["explanation"]
    codes = sorted(explanation.data["EDUCATION"].unique())
    assert [t["name"] for t in spec["data"]] == [str(c) for c in codes]
    assert sum(len(t["x"]) for t in spec["data"]) == len(explanation.data)  # every row: none hidden as an outlier
    assert spec["layout"]["xaxis"]["type"] == "category"
    assert "percentile" not in spec["layout"]["title"]["text"]
    at.selectbox(key="explain_dependence_column").set_value("LIMIT_BAL").run()  # a number keeps its scatter
    assert [t.key for t in at.toggle if t.key == "explain_dependence_all"] == ["explain_dependence_all"]
    assert figure(at, "explain_dependence")["data"][0]["type"] == "scatter"


def test_importance_names_the_columns_it_leaves_out_and_offers_them_all(coded_session):
    at = page("pages/4_Explain.py", coded_session[0])
    ranked = list(at.session_state["explanation"].importance().index)
    spec = figure(at, "explain_importance")
    assert len(spec["data"][0]["y"]) == 20
    assert spec["layout"]["title"]["subtitle"]["text"] == (
        f"The 20 most important of 23 columns; the other 3, less important: {', '.join(ranked[20:])}.")
    at.toggle(key="explain_importance_all").set_value(True).run()
    assert not at.exception
    spec = figure(at, "explain_importance")
    assert list(spec["data"][0]["y"]) == ranked[::-1] and not spec["layout"]["title"]["subtitle"]["text"]


def test_the_beeswarm_offers_every_column_and_greys_the_codes(coded_session):
    at = page("pages/4_Explain.py", coded_session[0])
    at.segmented_control(key="explain_view").set_value("Beeswarm").run()
    assert not at.exception
    spec = figure(at, "explain_beeswarm")
    assert len(spec["data"]) == 12 and spec["layout"]["title"]["subtitle"]["text"].startswith(
        "The 12 most important of 23 columns; the other 11, less important: ")
    at.toggle(key="explain_beeswarm_all").set_value(True).run()
    spec = figure(at, "explain_beeswarm")
    assert len(spec["data"]) == 23
    assert isinstance(next(t for t in spec["data"] if t["name"] == "EDUCATION")["marker"]["color"], str)

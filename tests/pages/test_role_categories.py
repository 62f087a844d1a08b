"""The Data page's role box reaches training: Taiwan's EDUCATION (codes 0 to 6) set to 'categorical' is read as a
category per code by the run trained next (a new user's trial: the box changed nothing but the table)."""

from finmodels.data.samples import load_sample
from tests.pages.test_pages import page, train_tiny
from ui.state import Dataset


def test_a_code_column_set_to_categorical_is_trained_as_categories():
    at = page("pages/1_Data.py", {"dataset": Dataset("taiwan_3k.csv", load_sample("taiwan_default").head(3000))})
    assert not at.exception
    at.selectbox(key="data_role_column").set_value("EDUCATION").run()
    at.selectbox(key="data_role_value").set_value("categorical").run()
    at.button(key="data_role_apply").click().run()
    assert not at.exception
    assert at.session_state["data_roles"] == {"EDUCATION": "categorical"}
    at.selectbox(key="data_dist_column").set_value("EDUCATION").run()
    chart = next(c for c in at.get("plotly_chart") if "Distribution of 'EDUCATION'" in c.proto.spec)
    assert "one bar per code" in chart.proto.spec and '"type":"bar"' in chart.proto.spec.replace(" ", "")
    at.switch_page("pages/2_Train.py").run()
    train_tiny(at, units="8", epochs=2)
    run = at.session_state["run"]
    assert run.config.categories == ("EDUCATION",)
    assert "EDUCATION" in run.preprocessor.categorical and "MARRIAGE" in run.preprocessor.numeric
    at.switch_page("pages/3_Evaluate.py").run()
    assert not at.exception
    assert any("levels grouped by their event rate (codes set to 'categorical' too: EDUCATION)" in c.value
               for c in at.caption)

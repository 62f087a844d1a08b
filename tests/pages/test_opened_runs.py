"""Runs opened from the Runs page or the address, and the data loaded beside them (a new user's findings with a rating
run on corporate_rating.csv and a credit run on another file in one area):

- Explain raised IndexError ('index 406 is out of bounds for axis 0 with size 406') for a rating run read back
  without its rows: with no data, with another file's data, and after its own file was uploaded, since the Runs page
  kept the run as it first read it, before the upload;
- Explain of a run opened that way said its file was missing although it was the data loaded;
- loading another file than the current run's said 'No model trained yet in this session' although the area held
  runs of that file;
- a run was named 'Run 1 · mlp + dcn · credit_rating' on the Report's first visit and 'run 6a2fd3cf' later; the Runs
  page listed the task by its key and compared runs with their metrics off to the right.

The files are /work/shared/datasets' corporate_rating.csv and german_credit.csv, uploaded on the Data page.
"""

import pytest

from finmodels.data.reading import load_csv
from finmodels.data.samples import get_sample
from finmodels.delivery.runs import result_name
from tests.conftest import SHARED_DATASETS
from tests.pages.test_pages import page, train_tiny
from ui.state import Dataset

RATING = ("corporate_rating.csv", (SHARED_DATASETS / "corporate_rating.csv").read_bytes())
GERMAN = ("german_credit.csv", get_sample("german_credit").path.read_bytes())


def upload(at, file: tuple[str, bytes]):
    """The Data page with `file` uploaded, as an analyst does."""
    at.switch_page("pages/1_Data.py").run()
    at.get("file_uploader")[0].set_value((*file, "text/csv")).run()
    assert not at.exception and at.session_state["dataset"].name == file[0]
    return at


def open_run(at, run_id: str):
    """Runs → the 'One run' box → Open this run."""
    at.switch_page("pages/6_Runs.py").run()
    assert not at.exception
    at.selectbox(key="runs_current").set_value(run_id).run()
    at.button(key="runs_use").click().run()
    assert not at.exception and at.session_state["run"].run_id == run_id
    return at


def infos(at) -> list[str]:
    return [i.value for i in at.info]


@pytest.fixture(scope="module")
def area_runs():
    """One area holding a small rating run on corporate_rating.csv, then a credit run on german_credit.csv (newest):
    (area, rating run, credit run, the session that trained them)."""
    at = page("pages/1_Data.py")
    upload(at, RATING)
    at.switch_page("pages/2_Train.py").run()
    if at.selectbox(key="train_task").value != "credit_rating":
        at.selectbox(key="train_task").set_value("credit_rating").run()
    train_tiny(at, units="16", epochs=3)
    rating = at.session_state["run"]
    assert rating.config.task == "credit_rating" and rating.config.target == "Rating"
    upload(at, GERMAN)
    at.switch_page("pages/2_Train.py").run()
    train_tiny(at, units="8", epochs=3)
    credit = at.session_state["run"]
    assert credit.config.task == "credit_default"
    return at.session_state["_session_area"], rating, credit, at


def test_a_rating_run_read_back_without_its_rows_asks_for_its_file_on_explain(area_runs):
    area, rating, _, _ = area_runs
    alone = page("pages/4_Explain.py", {"_session_area": area, "_address_run": rating.run_id})  # no data: a new tab
    assert not alone.exception, alone.exception  # was IndexError: index 406 is out of bounds for axis 0 with size 406
    assert alone.session_state["run"].frame is None
    assert any("Upload 'corporate_rating.csv' (the file it was trained on) on the **Data** page" in i
               and "The data loaded now, 'german_credit.csv', is another file." in i  # the area's upload, taken
               for i in infos(alone)), infos(alone)
    # /Explain?area=...&run=<rating run> in a new tab while the area's data is another file
    german = Dataset("german_credit.csv", load_csv(GERMAN[1]))
    other = page("pages/4_Explain.py", {"_session_area": area, "_address_run": rating.run_id, "dataset": german})
    assert not other.exception, other.exception
    assert other.session_state["run"].run_id == rating.run_id and other.session_state["run"].frame is None
    assert any("Upload 'corporate_rating.csv' (the file it was trained on) on the **Data** page" in i
               and "The data loaded now, 'german_credit.csv', is another file." in i for i in infos(other))


@pytest.mark.parametrize("which", ["rating", "credit"])
def test_a_run_opened_on_the_runs_page_after_its_file_was_uploaded_is_explained(area_runs, which):
    """Runs first (it reads the runs it compares, without data), then Data → upload the run's file, Runs → Open this
    run, Explain: the run comes with the rows just uploaded and is explained."""
    area, rating, credit, _ = area_runs
    run, file = (rating, RATING) if which == "rating" else (credit, GERMAN)
    at = page("pages/6_Runs.py", {"_session_area": area})
    assert not at.exception and "run" not in at.session_state  # the chooser opens none by itself
    upload(at, file)
    open_run(at, run.run_id)
    opened = at.session_state["run"]
    assert opened.frame is not None and len(opened.frame) == len(run.frame)  # with the uploaded rows
    at.switch_page("pages/4_Explain.py").run()
    assert not at.exception, at.exception  # the rating run raised IndexError
    assert not any("read back from the workspace" in i for i in infos(at))  # the credit run asked for its own file
    explained = at.session_state["explanation"]
    assert len(explained.predictions) > 0 and explained.reason_codes(explained.rows_by_prediction()[0]) is not None
    if which == "rating":
        assert at.selectbox(key="explain_class").value == "BBB"  # the class most of the file's rows hold


def test_a_run_opened_on_the_runs_page_takes_its_file_uploaded_earlier_in_the_area(area_runs):
    """A new user's finding (sp500_10stocks_2013_2018.csv): Explain of a run opened on the Runs page said 'Load the file
    it was trained on ... on the Data page' although that file was uploaded earlier in the area. The area keeps its
    latest upload (german_credit.csv here); a session whose data is another file opens the credit run with those rows,
    and a run of a file the area no longer keeps is told which file to upload, and where."""
    area, rating, credit, _ = area_runs
    other = Dataset("corporate_rating.csv", load_csv(RATING[1]))  # this tab's data: not the credit run's file
    at = page("pages/6_Runs.py", {"_session_area": area, "dataset": other})
    assert not at.exception
    open_run(at, credit.run_id)
    opened = at.session_state["run"]
    assert opened.frame is not None and len(opened.frame) == len(credit.frame)  # the area's kept german_credit.csv
    at.switch_page("pages/4_Explain.py").run()
    assert not at.exception, at.exception
    assert not any("read back from the workspace" in i for i in infos(at))
    assert len(at.session_state["explanation"].predictions) > 0
    # the rating run: its file is not the area's kept upload, nor the data loaded now
    german = Dataset("german_credit.csv", load_csv(GERMAN[1]))
    at = page("pages/6_Runs.py", {"_session_area": area, "dataset": german})
    open_run(at, rating.run_id)
    at.switch_page("pages/4_Explain.py").run()
    assert not at.exception
    assert infos(at)[-1] == (
        "This run was read back from the workspace, which keeps no data, and its rows are not at hand. The data loaded "
        "now, 'german_credit.csv', is another file. Upload 'corporate_rating.csv' (the file it was trained on) on the "
        "**Data** page (your area keeps only its latest upload), then come back here to explain its test rows.")


def test_other_data_loaded_opens_its_latest_run_or_says_whose_run_was_open(area_runs):
    area, rating, credit, _ = area_runs
    at = page("pages/3_Evaluate.py", {"_session_area": area, "_address_run": credit.run_id})
    assert not at.exception and at.session_state["run"].run_id == credit.run_id
    upload(at, RATING)  # another file than the open run's, one the area has a run of
    at.switch_page("pages/3_Evaluate.py").run()
    assert not at.exception
    assert not any("No model trained yet" in i for i in infos(at))
    shown = at.session_state["run"]
    assert shown.run_id == rating.run_id and shown.frame is not None  # the file's latest run, with its rows
    assert at.query_params["run"] == rating.run_id
    note = next(i for i in infos(at) if i.startswith("The run you had open"))
    assert note == (f"The run you had open, **{result_name(credit)}**, was trained on *german_credit.csv*, not on "
                    f"*corporate_rating.csv*, the data now loaded, so this page shows the latest run of "
                    f"*corporate_rating.csv*: **{result_name(rating)}**.")
    at.switch_page("pages/4_Explain.py").run()
    assert not at.exception and at.session_state["explanation"] is not None

    at.switch_page("pages/1_Data.py").run()  # a file the area has no run of
    at.selectbox(key="data_sample").set_value("taiwan_default")
    at.button(key="data_load_sample").click().run()
    name = at.session_state["dataset"].name
    at.switch_page("pages/7_Report.py").run()
    assert not at.exception and "run" not in at.session_state
    assert [i for i in infos(at) if "No model trained yet" in i or "had open" in i] == [
        f"The run you had open, **{result_name(rating)}**, was trained on *corporate_rating.csv*, not on *{name}*, the "
        f"data now loaded, and your area holds no run of *{name}* yet. Train one on the **Train** page, or open a run "
        "of another file on the **Runs** page (then load its file on **Data**)."]
    assert "run" not in at.query_params  # the address no longer names the other file's run


def test_a_run_has_one_name_on_the_report_and_the_runs_page(area_runs):
    area, rating, credit, trained = area_runs
    name = result_name(credit)
    assert name == f"{credit.run_id[:8]} · Dense network (MLP) · Credit default"
    trained.switch_page("pages/7_Report.py").run()  # the session that trained it: its first visit
    again = page("pages/7_Report.py", {"_session_area": area, "_address_run": credit.run_id})  # a new tab
    for at in (trained, again):
        assert not at.exception
        listed = next(m.value for m in at.markdown if "A single HTML file of" in m.value)
        assert listed.startswith(f"A single HTML file of **run {name}** on *german_credit.csv*")

    runs = page("pages/6_Runs.py", {"_session_area": area})
    assert not runs.exception
    listed = runs.dataframe[0].value
    assert listed.set_index("run")["task"].to_dict() == {credit.run_id[:8]: "Credit default",
                                                          rating.run_id[:8]: "Credit rating"}
    assert runs.selectbox(key="runs_task").options == ["All tasks", "Credit default", "Credit rating"]
    box = runs.selectbox(key="runs_current")
    assert box.options[0].startswith(f"{name} · german_credit.csv · ")
    # the comparison starts with the runs of one file (the newest run's: no data is loaded), a column each
    assert runs.multiselect(key="runs_chosen").value == [credit.run_id]
    assert list(runs.dataframe[1].value.columns) == [f"{credit.run_id[:8]} · german_credit.csv"]
    runs.multiselect(key="runs_chosen").select(rating.run_id).run()
    table = runs.dataframe[1].value
    assert list(table.columns) == [f"{credit.run_id[:8]} · german_credit.csv",
                                   f"{rating.run_id[:8]} · corporate_rating.csv"]
    chart = runs.get("plotly_chart")[0].proto.spec
    assert name in chart and "Run 1" not in chart and "Run 2" not in chart
    # both tasks' headline metrics lead, then their other metrics; the settings after them
    assert list(table.index[:2]) == ["ROC AUC", "Within one notch"]
    assert list(table.index).index("Network") > list(table.index).index("Brier score")

    runs.selectbox(key="runs_task").set_value("credit_default").run()
    table = runs.dataframe[1].value
    assert list(table.columns) == [f"{credit.run_id[:8]} · german_credit.csv"] and table.index[0] == "ROC AUC"

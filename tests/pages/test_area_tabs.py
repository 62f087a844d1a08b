"""What a new tab of the same area finds (AppTest; the browser test is test_browser_area_tabs): the area's upload and
its latest run when the address names neither, and the explanation computed on Explain, kept with the run, on the
Report and the Explain page of a new session. German credit uploaded from /work/shared/datasets' file (a sample)."""

import html

import numpy as np
import pytest

from finmodels.data.samples import get_sample
from tests.pages.test_pages import page, train_tiny


@pytest.fixture(scope="module")
def uploaded_and_trained():
    """A session that uploaded german_credit.csv on the Data page and trained a tiny network on it."""
    at = page("pages/1_Data.py")
    at.get("file_uploader")[0].set_value(("german_credit.csv", get_sample("german_credit").path.read_bytes(),
                                          "text/csv")).run()
    assert not at.exception and at.session_state["dataset"].name == "german_credit.csv"
    at.switch_page("pages/2_Train.py").run()
    train_tiny(at, units="8", epochs=5)
    return at


def test_a_tab_opened_on_the_area_without_data_or_run_shows_its_upload_and_latest_run(uploaded_and_trained):
    first = uploaded_and_trained
    area, run_id = first.session_state["_session_area"], first.session_state["run"].run_id
    fresh = page("pages/3_Evaluate.py", {"_session_area": area})  # /Evaluate?area=... typed in a new tab
    assert not fresh.exception
    assert not any("No data loaded yet" in i.value for i in fresh.info)
    assert fresh.session_state["dataset"].name == "german_credit.csv"
    assert fresh.session_state["target"] == "creditability"
    run = fresh.session_state["run"]
    assert run.run_id == run_id and run.frame is not None and len(run.frame) == 1000  # with its rows
    assert fresh.query_params["run"] == run_id and fresh.query_params["data"].startswith("upload:")
    note = next(i.value for i in fresh.info if "opened without a data set or run" in i.value)
    assert "german_credit.csv" in note and run_id[:8] in note


def test_the_explanation_computed_on_explain_is_the_reports_and_explains_in_a_new_session(uploaded_and_trained):
    first = uploaded_and_trained
    area, run_id = first.session_state["_session_area"], first.session_state["run"].run_id
    first.switch_page("pages/4_Explain.py").run()
    assert not first.exception
    explained = first.session_state["explanation"]
    top = explained.rows_by_prediction()[0]
    codes = explained.reason_codes(top)
    assert codes

    # a new tab of the area (the browser test opens one after a restart, without the data)
    report = page("pages/7_Report.py", {"_session_area": area})
    assert not report.exception and report.session_state["run"].run_id == run_id
    listed = next(m.value for m in report.markdown if "A single HTML file of" in m.value)
    assert "what drives the model, with reason codes" in listed and "not yet what drives the model" not in listed
    assert f"run {run_id[:8]}" in listed and "german_credit.csv" in listed
    report.button(key="report_build").click().run()
    assert not report.exception
    built = report.session_state["report_html"]
    assert "<h2>What drives the model</h2>" in built and all(html.escape(code) in built for code in codes)

    # a new session on the run's address with its data: the Explain page shows the kept explanation, not one computed again
    again = page("pages/4_Explain.py", {"_session_area": area, "_address_run": run_id,
                                        "dataset": first.session_state["dataset"]})
    assert not again.exception
    shown = again.session_state["explanation"]
    assert shown.seconds == explained.seconds  # the kept one: a new computation takes its own time
    np.testing.assert_array_equal(shown.values, explained.values)
    assert shown.reason_codes(top) == codes


@pytest.mark.parametrize("path", ["pages/1_Data.py", "pages/2_Train.py"])
def test_a_tab_opened_without_data_says_its_file_is_the_areas_last_upload(uploaded_and_trained, path):
    """A new user's team trial: analyst A opened /Train?area=team-credit and found the file a colleague had just
    uploaded there, with nothing saying where it came from."""
    area = uploaded_and_trained.session_state["_session_area"]
    fresh = page(path, {"_session_area": area})
    assert not fresh.exception and fresh.session_state["dataset"].name == "german_credit.csv"
    note = next(i.value for i in fresh.info if "opened without a data set in its address" in i.value)
    assert "**german_credit.csv**" in note and "colleague" in note
    assert ("on the **Data** page" in note) == (path == "pages/2_Train.py")
    if path == "pages/2_Train.py":  # the caption names the event training takes, without a visit to Data
        caption = next(c.value for c in fresh.caption if c.value.startswith("Data: **german_credit.csv**"))
        assert caption.endswith("· event 'bad'"), caption


def test_a_tab_that_loads_its_own_file_drops_the_areas_note(uploaded_and_trained):
    area = uploaded_and_trained.session_state["_session_area"]
    fresh = page("pages/1_Data.py", {"_session_area": area})
    assert any("opened without a data set" in i.value for i in fresh.info)
    fresh.get("file_uploader")[0].set_value(("german_credit.csv", get_sample("german_credit").path.read_bytes(),
                                             "text/csv")).run()
    assert not fresh.exception and not any("opened without a data set" in i.value for i in fresh.info)


def test_an_invalid_area_name_in_the_address_is_said_not_skipped_in_silence():
    """A new user's link '?area=desk a' opened another area without a word (their last one, or a new random one)."""
    from streamlit.testing.v1 import AppTest

    from tests.pages.test_pages import ROOT, TIMEOUT

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.query_params["area"] = "desk a"
    at.run()
    assert not at.exception
    area = at.session_state["_session_area"]
    assert area.startswith("a-") and area != "desk a"
    (said,) = [w.value for w in at.warning if "not a valid area name" in w.value]
    assert said.startswith(f"The address names the area 'desk a', which is not a valid area name (3 to 64 letters, "
                           f"digits, '.', '_' or '-', starting with a letter or digit), so this tab works in area "
                           f"**{area}**.")
    at.run()  # said once
    assert not any("not a valid area name" in w.value for w in at.warning)

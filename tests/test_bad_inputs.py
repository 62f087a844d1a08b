"""Every case of the bad-file corpus, through finmodels and through the Data page: a correct result or one
clear message, never a traceback, and the app still works afterwards."""

from pathlib import Path

import pytest

import finmodels.data.reading
from finmodels.data.reading import MAX_UPLOAD_MB, load_csv, read_notes
from finmodels.errors import DataError, FinModelsError
from finmodels.data.validation import check_data
from tests.corpus import CASES, LOADED, REFUSED, write_large_csv
from tests.pages.test_pages import page

ROOT = Path(__file__).resolve().parent.parent


def messages(frame) -> list[str]:
    return read_notes(frame) + [p.message for p in check_data(frame).problems]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_corpus_through_finmodels(case):
    raw = case.make()
    if case.outcome == REFUSED:
        with pytest.raises(DataError) as caught:
            load_csv(raw)
        assert len(caught.value.problems) == 1
        assert case.expect in caught.value.problems[0]
        return
    frame = load_csv(raw)
    assert case.outcome == LOADED
    assert not case.expect or any(case.expect in m for m in messages(frame)), messages(frame)
    if case.check:
        case.check(frame)
    if case.event:
        assert check_data(frame).profile.event_label == case.event


def upload(at, name: str, raw: bytes):
    at.get("file_uploader")[0].set_value((name, raw, "text/csv")).run()
    return at


def shown(at, where: str) -> list[str]:
    return [e.value for e in getattr(at, where)]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_corpus_through_the_data_page_then_a_sample_still_loads(case):
    at = upload(page("pages/1_Data.py"), f"{case.name}.csv", case.make())
    assert not at.exception
    if case.outcome == REFUSED:
        assert [m for m in shown(at, "error") if case.expect in m]
        assert "dataset" not in at.session_state
    else:
        assert at.session_state["dataset"].name == f"{case.name}.csv"
        assert not case.expect or [m for m in shown(at, case.where) if case.expect in m], shown(at, case.where)
        if case.event:
            assert at.radio[0].value == case.event
    at.selectbox(key="data_sample").set_value("german_credit")
    at.button(key="data_load_sample").click().run()
    assert not at.exception
    assert at.session_state["dataset"].frame.shape == (1000, 21)
    assert at.selectbox(key="data_target").value == "creditability"


def test_the_upload_limit_equals_the_server_setting():
    config = (ROOT / ".streamlit" / "config.toml").read_text()
    assert f"maxUploadSize = {MAX_UPLOAD_MB}\n" in config
    assert MAX_UPLOAD_MB == 200


def test_a_file_over_200_mb_is_refused_before_it_is_read(tmp_path):
    path = write_large_csv(tmp_path / "big.csv", megabytes=200)
    assert path.stat().st_size > 200 * 1024 * 1024
    with pytest.raises(DataError, match=r"The file is 201 MB; the limit is 200 MB\. Upload a sample of the rows"):
        load_csv(path)


def test_the_limit_is_configurable_at_run_time(tmp_path, monkeypatch):
    path = write_large_csv(tmp_path / "small.csv", megabytes=2)
    assert load_csv(path, max_mb=10).shape[1] == 3
    monkeypatch.setattr(finmodels.data.reading, "MAX_UPLOAD_MB", 1)
    with pytest.raises(DataError, match="the limit is 1 MB"):
        load_csv(path)
    with pytest.raises(DataError, match="the limit is 1 MB"):
        load_csv(path.read_bytes())


def test_the_data_page_refuses_a_file_over_the_limit_and_stays_usable(tmp_path, monkeypatch):
    monkeypatch.setattr(finmodels.data.reading, "MAX_UPLOAD_MB", 1)
    raw = write_large_csv(tmp_path / "big.csv", megabytes=1).read_bytes()
    at = upload(page("pages/1_Data.py"), "big.csv", raw)
    assert not at.exception
    assert [m for m in shown(at, "error") if "the limit is 1 MB" in m]
    at.button(key="data_load_sample").click().run()
    assert at.session_state["dataset"].frame.shape == (1000, 21)


def test_damaged_files_get_a_result_or_a_message_never_another_exception():
    from tests.corpus import mutations

    outcomes = {"loaded": 0, "refused": 0}
    for raw in mutations(seed=0, count=300):
        try:
            check_data(load_csv(raw))
            outcomes["loaded"] += 1
        except FinModelsError as exc:
            assert str(exc) and "Traceback" not in str(exc)
            outcomes["refused"] += 1
    assert outcomes["loaded"] > 100 and outcomes["refused"] > 10, outcomes

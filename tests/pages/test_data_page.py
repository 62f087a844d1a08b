"""The Data page keeps the analyst's choices: across loads of other files, and across visits to other pages."""

import numpy as np
import pandas as pd

from finmodels.data.samples import sample_bytes
from tests.conftest import SHARED_DATASETS
from tests.pages.test_pages import page, train_tiny
from tests.pages.text_tiles import text_tiles


def upload(at, name: str, data: bytes):
    at.get("file_uploader")[0].set_value((name, data, "text/csv")).run()
    assert not at.exception, at.exception
    return at


def tile(at, label: str) -> str:
    return next((m.value for m in at.metric if m.label == label), None) or text_tiles(at)[label]


def test_loading_a_file_again_finds_its_target_again():
    at = page("pages/1_Data.py")
    upload(at, "german_credit.csv", sample_bytes("german_credit"))
    assert at.selectbox(key="data_target").value == "creditability"
    upload(at, "sp500.csv", sample_bytes("sp500_index"))
    assert at.selectbox(key="data_target").value is None and tile(at, "Target") == "none"
    upload(at, "german_credit_again.csv", sample_bytes("german_credit"))
    assert at.selectbox(key="data_target").value == "creditability"
    assert tile(at, "Target") == "creditability"
    assert at.session_state["target"] == "creditability"
    assert at.selectbox(key="data_task").value == "credit_default"
    assert "creditability" not in at.multiselect(key="data_features").value
    assert at.radio[0].value == "bad"


def test_every_load_is_profiled_afresh():
    at = page("pages/1_Data.py")
    upload(at, "german_credit.csv", sample_bytes("german_credit"))
    first = at.session_state["data_check"][1]
    upload(at, "german_credit.csv", sample_bytes("german_credit"))
    assert at.session_state["data_check"][1] is not first


def test_a_removed_feature_and_the_task_survive_a_visit_to_train_and_the_run_uses_them():
    at = page("pages/1_Data.py")
    upload(at, "german_credit.csv", sample_bytes("german_credit"))
    features = at.multiselect(key="data_features").value
    kept = [f for f in features if f != "purpose"]
    at.multiselect(key="data_features").set_value(kept).run()
    at.selectbox(key="data_task").set_value("delinquency").run()
    assert tile(at, "Features") == f"{len(features):,}"  # the tile counts the profile's features
    at.switch_page("pages/2_Train.py").run()
    assert at.selectbox(key="train_task").value == "delinquency"
    at.switch_page("pages/1_Data.py").run()
    assert not at.exception
    assert at.multiselect(key="data_features").value == kept
    assert at.selectbox(key="data_task").value == "delinquency"
    assert at.session_state["features"] == kept and at.session_state["task"] == "delinquency"
    at.switch_page("pages/2_Train.py").run()
    train_tiny(at, units="4", epochs=2)
    run = at.session_state["run"]
    assert run.config.task == "delinquency"
    assert "purpose" not in run.features and sorted(run.features) == sorted(kept)


def test_the_event_label_survives_a_visit_to_train():
    at = page("pages/1_Data.py")
    upload(at, "german_credit.csv", sample_bytes("german_credit"))
    at.radio[0].set_value("good").run()
    at.switch_page("pages/2_Train.py").run()
    at.switch_page("pages/1_Data.py").run()
    assert at.radio[0].value == "good" and at.session_state["event_label"] == "good"


def outcome_file(named: bool) -> bytes:
    rng = np.random.default_rng(0)
    n = 400
    frame = pd.DataFrame({"income": rng.normal(50_000, 9_000, n).round(), "age": rng.integers(20, 70, n),
                          "has_card": rng.integers(0, 2, n)})
    frame["dlq" if named else "status_code"] = (rng.random(n) < 0.12).astype(int)
    return frame.to_csv(index=False).encode()


def test_a_named_outcome_is_the_target_and_candidates_come_first():
    at = page("pages/1_Data.py")
    upload(at, "loans.csv", outcome_file(named=True))
    box = at.selectbox(key="data_target")
    assert box.value == "dlq"
    assert box.options[:3] == ["(none: a sequence or anomaly task)",
                               "dlq · holds 0/1 (1 in 12.5% of rows) and is named like an outcome ('dlq')",
                               "has_card · holds 0/1 (1 in 49.2% of rows)"]
    # a 0/1 target is named by its column, not as a bare '1'
    assert at.radio[0].value == "1"
    assert at.radio[0].options == ["dlq = 0", "dlq = 1"]
    assert any(c.value == "dlq = 1 in 12.5% of rows." for c in at.caption)


def test_without_a_named_target_the_page_offers_the_01_columns_without_sending_you_to_it():
    at = page("pages/1_Data.py")
    upload(at, "loans.csv", outcome_file(named=False))
    box = at.selectbox(key="data_target")
    assert box.value is None
    assert [o.split(" · ")[0] for o in box.options[1:3]] == ["has_card", "status_code"]
    messages = [w.value for w in at.warning]
    offer = next(m for m in messages if m.startswith("No column has a usual target name"))
    assert "Columns 'has_card', 'status_code' hold 0/1 values and could be the outcome" in offer
    assert not any("Data page" in m for m in messages + [e.value for e in at.error] + [i.value for i in at.info])


def test_suspected_special_codes_are_listed_with_rows_and_what_to_do():
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"late_payments": rng.integers(0, 5, 300), "util_ratio": rng.random(300).round(3),
                          "default": (rng.random(300) < 0.2).astype(int)})
    frame.loc[[3, 10], "late_payments"] = 98
    frame.loc[7, "util_ratio"] = 5000.0
    at = page("pages/1_Data.py")
    upload(at, "cards.csv", frame.to_csv(index=False).encode())
    assert any(h.value == "Checks" for h in at.subheader)
    warnings = [w.value for w in at.warning]
    assert ("Column 'late_payments' has 98 in 2 rows (lines 5, 12 of the file), far above its other values (at most 4): they "
            "look like special codes (such as 'unknown' or 'refused'), not real values. Replace them with empty "
            "cells, so they are read as missing, or recode them; left as they are, the model takes 98 at face "
            "value.") in warnings
    assert any(w.startswith("Column 'util_ratio' is a ratio") and "line 9 of the file" in w and "5000" in w for w in warnings)


def test_rare_ratings_are_said_to_be_merged_not_left_to_the_analyst():
    at = page("pages/1_Data.py")
    upload(at, "corporate_rating.csv", (SHARED_DATASETS / "corporate_rating.csv").read_bytes())
    assert at.selectbox(key="data_target").value == "Rating"
    messages = [w.value for w in at.warning] + [e.value for e in at.error]
    rare = next(m for m in messages if m.startswith("Target column 'Rating' has too few rows"))
    assert rare == ("Target column 'Rating' has too few rows in 2 classes ('C' 2, 'D' 1 rows). Training merges each "
                    "rare rating with its neighbour towards the middle of the scale, so that every class has at least "
                    "5 rows: CC, C, D are scored as one class 'CC/C/D'. Nothing to do, unless you would group them "
                    "otherwise.")
    assert not any("Merge rare classes" in m for m in messages)


def test_a_long_target_name_is_shown_whole_not_cut_by_a_metric_tile():
    taiwan = (SHARED_DATASETS / "taiwan_default.csv").read_bytes()
    at = upload(page("pages/1_Data.py"), "taiwan_default.csv", taiwan)
    assert text_tiles(at)["Target"] == "default_payment_next_month"  # st.metric read 'default_pay…'
    assert "Target" not in [m.label for m in at.metric]
    # it breaks after an underscore, not mid-word ('default_payment_n' over 'ext_month' in chromium at 1400 px)
    assert any("default_<wbr>payment_<wbr>next_<wbr>month" in m.value for m in at.markdown)

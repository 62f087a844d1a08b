import numpy as np
import pandas as pd
import pytest

from finmodels.data.reading import load_csv
from finmodels.errors import ConfigError, DataError
from finmodels.data.samples import SAMPLES, get_sample, load_sample
from finmodels.data.targets import (RATING_SCALE, default_event_label, encode_binary, event_name, guess_target,
                                   rating_rank)
from finmodels.data.tasks import TASKS, get_task


@pytest.mark.parametrize("key,rows,cols", [
    ("german_credit", 1000, 21), ("taiwan_default", 30000, 25),
    ("sp500_index", 4423, 7), ("sp500_10stocks", 12590, 7),
])
def test_every_sample_loads_with_its_documented_shape(key, rows, cols):
    frame = load_sample(key)
    assert frame.shape == (rows, cols)
    if SAMPLES[key].target:
        assert SAMPLES[key].target in frame.columns


def test_unknown_sample_names_the_available_ones():
    with pytest.raises(ConfigError, match="Available samples: german_credit, taiwan_default"):
        get_sample("german")


def test_german_target_is_guessed_and_bad_is_the_event(german):
    target = guess_target(list(german.columns), get_task("credit_default").target_names)
    assert target == "creditability"
    assert default_event_label(german[target]) == "bad"
    y, event = encode_binary(german[target])
    assert event == "bad" and y.sum() == 300 and len(y) == 1000


def test_minority_class_is_the_default_event_without_a_default_word():
    series = pd.Series(["keep"] * 8 + ["churn"] * 2, name="outcome")
    assert default_event_label(series) == "churn"


def test_three_valued_target_is_refused_with_the_values_named():
    series = pd.Series(["0", "1", "unknown", "1"], name="default")
    with pytest.raises(DataError, match=r"Column 'default' has 3 values \('0', '1', 'unknown'\)"):
        encode_binary(series)


def test_one_valued_target_says_one_value_and_what_to_do():
    series = pd.Series(["good"] * 5, name="creditability")
    with pytest.raises(DataError) as err:
        encode_binary(series)
    assert str(err.value) == ("Column 'creditability' has 1 value ('good'); every task needs at least 2 classes to "
                              "learn from. Pick a target with both outcomes, or fix the file so that it holds rows of "
                              "each.")


@pytest.mark.parametrize("raw,message", [
    (b"", "The file is empty"),
    (b"a,b,c\n", "has a header but no data rows"),
])
def test_unusable_files_get_a_message(raw, message):
    with pytest.raises(DataError, match=message):
        load_csv(raw)


def test_semicolon_latin1_file_is_read():
    raw = "name;amount\nJosé;12\nZoë;7\n".encode("cp1252")
    frame = load_csv(raw)
    assert list(frame.columns) == ["name", "amount"] and frame["name"].tolist() == ["José", "Zoë"]


def test_size_limit_names_the_limit():
    with pytest.raises(DataError, match="the limit is 1 MB"):
        load_csv(b"a\n" + b"1\n" * 600_000, max_mb=1)


def test_unknown_task_lists_the_keys():
    with pytest.raises(ConfigError, match="Unknown task 'credit-defualt'. Available tasks: credit_default"):
        get_task("credit-defualt")
    assert len(TASKS) == 13  # loss_given_default joined the twelve


@pytest.mark.parametrize("labels,event", [
    (["good", "bad", "good"], "bad"), (["yes", "no", "no"], "yes"), (["Fully Paid", "Charged Off", "Fully Paid"],
                                                                      "Charged Off"),
    (["N", "Y", "N"], "Y"), (["0", "1", "0"], "1"), ([0.0, 1.0, np.nan, 0.0], "1"), (["repaid", "lost", "repaid"], "lost"),
    (["keep", "keep", "churn"], "churn"), (["non", "oui", "non"], "oui"),
])
def test_the_default_event_label_of_text_and_numeric_targets(labels, event):
    assert default_event_label(pd.Series(labels, name="target")) == event


def test_a_numeric_target_with_gaps_encodes_as_whole_labels():
    series = pd.Series([0.0, 1.0, 1.0, 0.0], name="default")
    y, event = encode_binary(series)
    assert event == "1" and y.tolist() == [0, 1, 1, 0]
    y, event = encode_binary(series, "0")
    assert y.tolist() == [1, 0, 0, 1]


def test_the_user_can_pick_any_label_as_the_event():
    y, event = encode_binary(pd.Series(["Fully Paid", "Charged Off", "Fully Paid"], name="loan_status"), "Fully Paid")
    assert event == "Fully Paid" and y.tolist() == [1, 0, 1]
    with pytest.raises(DataError, match="Event label 'Current' is not a value of column 'loan_status'"):
        encode_binary(pd.Series(["Fully Paid", "Charged Off"], name="loan_status"), "Current")


@pytest.mark.parametrize("target,label,name", [
    ("SeriousDlqin2yrs", "1", "SeriousDlqin2yrs = 1"), ("chargeoff", "True", "chargeoff = True"),
    ("grade", "3", "grade = 3"), ("creditability", "bad", "bad"), ("loan_status", "Charged Off", "Charged Off"),
    (None, "1", "1"),
])
def test_a_coded_class_is_named_by_its_column_a_word_by_itself(target, label, name):
    assert event_name(target, label) == name


@pytest.mark.parametrize("label,rank", [("AAA", 0), ("BBB+", 3), ("BB-", 4), ("D", 9), ("NR", None)])
def test_rating_ranks(label, rank):
    assert rating_rank(label) == rank


@pytest.mark.parametrize("task", list(TASKS.values()), ids=lambda t: t.key)
def test_every_task_preset_is_complete(task):
    assert task.label and task.description and task.loss and task.output_activation and task.headline_metric
    assert task.architectures and task.needs_target == (task.kind not in ("forecast", "anomaly"))
    assert task.needs_target == bool(task.target_names) or task.kind == "forecast"


def test_credit_rating_is_ordinal_on_the_agency_scale():
    rating = get_task("credit_rating")
    assert rating.kind == "ordinal" and rating.classes == RATING_SCALE and RATING_SCALE[0] == "AAA"
    assert sorted(TASKS) == sorted(["credit_default", "loan_repayment", "delinquency", "credit_rating", "market_risk",
                                    "asset_allocation", "risk_control", "loss_given_default", "binary", "multiclass",
                                    "regression", "forecast", "anomaly"])


def test_data_page_reads_a_european_export_and_hands_task_and_features_to_the_train_page():
    from tests.corpus import european_export
    from tests.pages.test_pages import page

    at = page("pages/1_Data.py")
    at.get("file_uploader")[0].set_value(("export.csv", european_export(), "text/csv")).run()
    assert not at.exception
    assert at.selectbox(key="data_target").value == "default" and at.radio[0].value == "oui"
    assert at.session_state["task"] == "credit_default"
    assert at.session_state["features"] == ["région", "taux", "montant"]
    table = next(d.value for d in at.dataframe if "role" in d.value.columns)
    roles = dict(zip(table["column"], table["role"]))
    assert roles == {"row_id": "identifier", "région": "categorical", "taux": "numeric", "montant": "numeric",
                     "default": "target"}
    assert any("read as CP1252" in i.value for i in at.info)
    assert [m.value for m in at.metric][:2] == ["60", "5"]
    assert len(at.get("plotly_chart")) == 3 and not at.error


def test_data_page_roles_target_and_features_can_be_changed():
    from tests.pages.test_pages import page

    at = page("pages/1_Data.py")
    at.button(key="data_load_sample").click().run()
    assert len(at.session_state["features"]) == 20
    at.selectbox(key="data_role_column").set_value("age_in_years")
    at.selectbox(key="data_role_value").set_value("identifier")
    at.button(key="data_role_apply").click().run()
    assert not at.exception and "age_in_years" not in at.session_state["features"]
    at.multiselect(key="data_features").unselect("purpose").run()
    assert "purpose" not in at.session_state["features"] and len(at.session_state["features"]) == 18
    at.selectbox(key="data_target").set_value("foreign_worker").run()
    assert at.session_state["target"] == "foreign_worker" and at.radio[0].value in ("yes", "no")
    assert at.session_state["task"] == "binary" and "creditability" in at.session_state["features"]
    at.selectbox(key="data_target").select_index(0).run()
    assert not at.exception and at.session_state["task"] == "anomaly"


def test_data_page_warns_when_an_identifier_is_chosen_as_a_feature():
    from tests.pages.test_pages import page

    at = page("pages/1_Data.py")
    at.selectbox(key="data_sample").set_value("taiwan_default")
    at.button(key="data_load_sample").click().run()
    checks = [w.value for w in at.warning]  # the file's own checks (code-like columns: tests/data/test_codes.py)
    assert "ID" not in at.session_state["features"] and not any("'ID'" in w for w in checks)
    at.multiselect(key="data_features").select("ID").run()
    assert "ID" in at.session_state["features"]
    assert [w.value for w in at.warning] == [*checks,
        "Column 'ID' looks like an identifier (30,000 distinct values) but is used as a feature: the model would "
        "memorise rows instead of learning. Remove it from the features."]


def test_data_page_shows_a_numeric_target_as_a_histogram():
    from tests.pages.test_pages import page

    at = page("pages/1_Data.py")
    at.selectbox(key="data_sample").set_value("taiwan_default")
    at.button(key="data_load_sample").click().run()
    at.selectbox(key="data_target").set_value("LIMIT_BAL").run()
    assert not at.exception and at.session_state["task"] == "regression"
    assert "LIMIT_BAL" not in at.session_state["features"] and not at.radio  # no risk-event radio
    assert '"type":"histogram"' in at.get("plotly_chart")[0].proto.spec.replace(" ", "")

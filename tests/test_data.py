import pandas as pd
import pytest

from finmodels.data import load_csv
from finmodels.errors import ConfigError, DataError
from finmodels.samples import SAMPLES, get_sample, load_sample
from finmodels.targets import default_event_label, encode_binary, guess_target
from finmodels.tasks import TASKS, get_task


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
    assert len(TASKS) == 12

"""Splits that never leak rows: stratified, chronological (no future rows in training), grouped by entity."""

import numpy as np
import pandas as pd
import pytest

from finmodels.data.reading import load_csv
from finmodels.errors import DataError
from finmodels.data.profiling import profile
from finmodels.data.splits import (Split, chronological_split, grouped_split, split_for_profile, split_for_run,
                                   split_rows, stratified_split)
from tests.conftest import SHARED_DATASETS


def covers_each_row_once(split: Split, n: int) -> bool:
    joined = np.concatenate([split.train, split.valid, split.test])
    return len(joined) == n and len(np.unique(joined)) == n


def test_stratified_split_keeps_the_balance():
    y = np.array([1] * 30 + [0] * 70)
    split = stratified_split(y, seed=1)
    assert split.sizes() == {"train": 64, "valid": 16, "test": 20} and covers_each_row_once(split, 100)
    assert y[split.test].mean() == pytest.approx(0.3) and split.method == "stratified random"


def test_stratified_split_refuses_a_rare_class():
    with pytest.raises(DataError, match="Class '1' has only 3 rows; at least 5 per class"):
        stratified_split(np.array([1] * 3 + [0] * 50))


def test_chronological_split_puts_no_future_row_in_training():
    dates = pd.Series(pd.date_range("2021-01-01", periods=60).repeat(3)).sample(frac=1, random_state=0)
    split = chronological_split(dates.to_numpy())
    when = dates.to_numpy()
    assert when[split.train].max() < when[split.valid].min()
    assert when[split.valid].max() < when[split.test].min()
    assert covers_each_row_once(split, 180) and split.sizes() == {"train": 114, "valid": 30, "test": 36}


def test_chronological_split_on_a_real_rating_file_keeps_each_day_on_one_side():
    frame = load_csv(SHARED_DATASETS / "corporate_rating.csv")
    split = chronological_split(frame["Date"])
    when = pd.to_datetime(frame["Date"], format="%m/%d/%Y")
    assert when[split.train].max() < when[split.valid].min() <= when[split.valid].max() < when[split.test].min()
    assert covers_each_row_once(split, len(frame))


def test_rows_without_a_date_are_left_out_and_too_few_dates_are_refused():
    split = chronological_split(["2020-01-03", "2020-01-01", None, "2020-01-02", "2020-01-01"])
    assert (split.train.tolist(), split.valid.tolist(), split.test.tolist()) == ([1, 4], [3], [0])
    with pytest.raises(DataError, match="has 2 distinct dates; a chronological split needs at least 3"):
        chronological_split(["2020-01-01", "2020-01-02", "2020-01-02"])


def test_grouped_split_keeps_each_entity_on_one_side():
    frame = load_csv(SHARED_DATASETS / "corporate_rating.csv")
    assert profile(frame).entity_column == "Name"
    split = grouped_split(frame["Name"], seed=0)
    names = frame["Name"].to_numpy()
    assert not set(names[split.train]) & set(names[split.test])
    assert not set(names[split.train]) & set(names[split.valid])
    assert not set(names[split.valid]) & set(names[split.test])
    assert covers_each_row_once(split, len(frame)) and split.method == "grouped by entity"


def test_grouped_split_says_when_a_class_is_missing_from_a_part():
    groups = np.repeat(np.arange(10), 4)
    y = (groups == 0).astype(int)  # the event lives in one entity only
    with pytest.raises(DataError, match="A split by entity cannot put rows of '1' in every part: that class is held "
                                        "by too few of the 10 entities"):
        grouped_split(groups, y)
    # named by the rows' own label when given
    with pytest.raises(DataError, match="cannot put rows of 'default' in every part"):
        grouped_split(groups, y, labels=np.where(y == 1, "default", "paid"))


def test_split_rows_picks_the_split_from_the_data():
    y = np.array([0, 1] * 20)
    assert split_rows(y).method == "stratified random"
    assert split_rows(y, dates=pd.date_range("2020-01-01", periods=40)).method == "chronological"
    assert split_rows(y, groups=np.repeat(np.arange(10), 4)).method == "grouped by entity"


def test_split_for_profile_uses_the_date_then_the_entity_then_the_classes():
    rating = load_csv(SHARED_DATASETS / "corporate_rating.csv")
    assert split_for_profile(rating, profile(rating)).method == "chronological"
    no_date = rating.drop(columns=["Date"])
    assert split_for_profile(no_date, profile(no_date)).method == "grouped by entity"
    german = load_csv(SHARED_DATASETS / "german_credit.csv")
    y = (german["creditability"] == "bad").to_numpy()
    assert split_for_profile(german, profile(german), y).method == "stratified random"


def test_a_run_can_ask_for_the_split_by_entity_or_by_date_and_is_told_when_the_file_has_none():
    rating = load_csv(SHARED_DATASETS / "corporate_rating.csv")
    notches = rating["Rating"].isin(["AAA", "AA", "A"]).to_numpy().astype(int)  # both classes in every part
    by_entity = split_for_run(rating, notches, target="Rating", method="entity")
    names = rating["Name"].to_numpy()
    assert by_entity.method == "grouped by entity" and covers_each_row_once(by_entity, len(rating))
    assert not set(names[by_entity.train]) & set(names[by_entity.test])
    by_date = split_for_run(rating, notches, target="Rating", method="date")
    dates = pd.to_datetime(rating["Date"])
    assert by_date.method == "chronological" and dates[by_date.train].max() < dates[by_date.test].min()
    german = load_csv(SHARED_DATASETS / "german_credit.csv")
    y = (german["creditability"] == "bad").to_numpy().astype(int)
    with pytest.raises(DataError, match="A split by entity needs an identifier column whose values repeat"):
        split_for_run(german, y, target="creditability", method="entity")
    with pytest.raises(DataError, match="A split by date needs a date column"):
        split_for_run(german, y, target="creditability", method="date")

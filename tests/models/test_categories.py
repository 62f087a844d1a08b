"""Numeric codes the analyst marks as categories on the Data page (Taiwan's EDUCATION 0 to 6, MARRIAGE 0 to 3) are
read as categories: one input per code, never scaled as a number; the run, its bundle and scoring keep that.
A new user's trial found the role box changed nothing in training."""

import numpy as np

from finmodels.data.reading import load_csv
from finmodels.models.bundle import bundle_bytes, load_bundle
from finmodels.models.preprocessing import PreprocessConfig, fit_preprocessor
from finmodels.models.training import TrainConfig, train
from tests.conftest import SHARED_DATASETS

CODES = ("EDUCATION", "MARRIAGE")


def _taiwan(rows: int = 3000):
    return load_csv(SHARED_DATASETS / "taiwan_default.csv").head(rows)


def test_the_named_numeric_columns_are_one_hot_encoded():
    frame = _taiwan()
    features = ["LIMIT_BAL", "AGE", *CODES]
    plain = fit_preprocessor(frame, features)
    assert set(CODES) <= set(plain.numeric)
    coded = fit_preprocessor(frame, features, PreprocessConfig(categories=CODES))
    assert coded.categorical == list(CODES) and coded.numeric == ["LIMIT_BAL", "AGE"]
    levels = sorted(map(str, frame["EDUCATION"].unique()))
    assert len(coded.groups["EDUCATION"]) == len(levels)  # one input per code seen in training
    x = coded.transform(frame.head(5))
    block = x[0, coded.groups["EDUCATION"]]
    assert block.sum() == 1
    assert coded.output_names[coded.groups["EDUCATION"][int(np.argmax(block))]] == \
        f"EDUCATION = {frame['EDUCATION'].iloc[0]}"


def test_a_run_and_its_bundle_keep_the_categories():
    frame = _taiwan()
    config = TrainConfig(target="default_payment_next_month", members=1, blend=(), epochs=2, categories=CODES)
    assert config.resolved(1800).preprocessing.categories == CODES
    result = train(frame, config)
    assert set(CODES) <= set(result.preprocessor.categorical)
    loaded = load_bundle(bundle_bytes(result))
    assert set(CODES) <= set(loaded.preprocessor.categorical)
    np.testing.assert_allclose(loaded.predict(frame.head(50)), result.predict(frame.head(50)), rtol=1e-5, atol=1e-6)


def test_a_code_read_as_a_float_is_the_same_category():
    """A code column with a gap is read as floats (2.0); a scored file without gaps holds 2: the same category."""
    frame = _taiwan()
    gap = frame.copy()
    gap["EDUCATION"] = gap["EDUCATION"].astype("float64")
    gap.loc[3, "EDUCATION"] = np.nan
    fitted = fit_preprocessor(gap, ["LIMIT_BAL", *CODES], PreprocessConfig(categories=CODES))
    np.testing.assert_array_equal(fitted.transform(frame.head(20))[:, fitted.groups["EDUCATION"]][4:],
                                  fitted.transform(gap.head(20))[:, fitted.groups["EDUCATION"]][4:])


def test_the_what_if_offers_each_code_once():
    """A new user's what-if on Taiwan offered EDUCATION's levels '1' ... '6' and '2.0' (a code read as a float once)."""
    import pandas as pd

    from finmodels.explain.counterfactuals import _range_of

    found = _range_of("EDUCATION", pd.Series([1, 2, 2.0, 3.0, None, 6], dtype=object), numeric=False)
    assert found.levels == ("1", "2", "3", "6")

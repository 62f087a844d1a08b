"""Weight-of-evidence inputs of a small table (models.woe): the scorecard's bins and WoE, fitted on training rows
only, one input per column beside the others, carried by a bundle's skops file, and never for a target that is not
0/1 events."""

import numpy as np
import pandas as pd
import pytest
import skops.io as sio

from finmodels.data.splits import stratified_split
from finmodels.data.targets import encode_binary
from finmodels.models.bundle import TRUSTED_TYPES
from finmodels.models.preprocessing import PreprocessConfig, fit_preprocessor, prepare_columns
from finmodels.models.scorecard import fit_scorecard

SMALL = PreprocessConfig(scaler="auto", code_levels=0, piecewise_knots=0, target_knots=0, woe_inputs=True)


@pytest.fixture(scope="module")
def fitted(german):
    y, _ = encode_binary(german["creditability"])
    split = stratified_split(y, test_size=0.2, valid_size=0.2, seed=0)
    features = [c for c in german.columns if c != "creditability"]
    train = german.iloc[split.train]
    pre = fit_preprocessor(train, features, SMALL, target=y[split.train])
    return pre, features, train, y[split.train], german.iloc[split.test]


def test_each_column_gets_one_woe_input_in_its_own_group(fitted):
    pre, features, *_ = fitted
    woe = [i for i, name in enumerate(pre.output_names) if name.endswith(" (WoE)")]
    assert len(woe) == len(features) == 20
    for column in features:
        assert pre.output_names[pre.groups[column][-1]] == f"{column} (WoE)"
    # the first output of a numeric column is still its scaled value
    assert pre.output_names[pre.groups["duration_in_month"][0]] == "duration_in_month"
    # the run's notes and the model document say so
    assert pre.encoding_summary() == ("Each of the 20 columns also enters as its weight of evidence in the "
                                      "scorecard's bins, fitted on the training rows.")


def test_the_woe_values_are_the_scorecards_on_the_training_rows(fitted):
    pre, features, train, y, test = fitted
    encoder = pre.transformer.named_transformers_["woe"][0]
    raw = encoder.transform(prepare_columns(test, pre.numeric, pre.categorical))
    card = fit_scorecard(train, y, features=features).scorecard.binning_process_
    expected = card.transform(test[features].astype({c: str for c in pre.categorical}), metric="woe")
    expected = expected[encoder.columns_].to_numpy(dtype="float64")  # the encoder reads numbers first, then text
    np.testing.assert_allclose(raw, expected, atol=1e-9)
    # duration: the scorecard's shortest loans are its safest bin, the longest its riskiest
    duration = encoder.columns_.index("duration_in_month")
    woe = encoder.woe_[duration]
    assert woe[0] == woe.max() > 0 > woe.min() == woe[-1]


def test_unseen_levels_and_missing_values_get_a_finite_neutral_or_missing_woe(fitted):
    pre, _, _, _, test = fitted
    rows = test.head(3).copy()
    rows.loc[rows.index[0], "purpose"] = "space travel"
    rows.loc[rows.index[1], "credit_amount"] = np.nan
    x = pre.transform(rows)
    assert np.isfinite(x).all()
    encoder = pre.transformer.named_transformers_["woe"][0]
    raw = encoder.transform(prepare_columns(rows, pre.numeric, pre.categorical))
    assert raw[0, encoder.columns_.index("purpose")] == 0.0
    assert raw[1, encoder.columns_.index("credit_amount")] == encoder.missing_woe_[encoder.columns_.index("credit_amount")]


def test_a_bundles_skops_file_carries_the_encoder(fitted):
    pre, _, _, _, test = fitted
    data = sio.dumps(pre.transformer)
    assert [t for t in sio.get_untrusted_types(data=data) if t not in TRUSTED_TYPES] == []
    loaded = sio.loads(data, trusted=list(TRUSTED_TYPES))
    frame = prepare_columns(test, pre.numeric, pre.categorical)
    np.testing.assert_allclose(loaded.transform(frame), pre.transformer.transform(frame), atol=1e-12)


def test_no_woe_without_events_nor_without_the_setting(german):
    features = ["duration_in_month", "purpose"]
    amounts = german["credit_amount"].to_numpy(dtype="float64")
    regression = fit_preprocessor(german, features, SMALL, target=amounts)
    unguided = fit_preprocessor(german, features, SMALL)
    y, _ = encode_binary(german["creditability"])
    off = fit_preprocessor(german, features, PreprocessConfig(scaler="auto", code_levels=0, piecewise_knots=0,
                                                              target_knots=0), target=y)
    for pre in (regression, unguided, off):
        assert not any(name.endswith(" (WoE)") for name in pre.output_names)
    assert pd.Series(fit_preprocessor(german, features, SMALL, target=y).output_names).str.endswith(" (WoE)").sum() == 2

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from finmodels.errors import ConfigError
from finmodels.models.preprocessing import PreprocessConfig, fit_preprocessor
from finmodels.models.training import HUGE_TABLE_ROWS, LARGE_TABLE_ROWS, fit_defaults
from finmodels.data.splits import stratified_split
from finmodels.data.targets import encode_binary

PLAIN = PreprocessConfig(scaler="standard", code_levels=0, piecewise_knots=0)


def test_one_hot_groups_map_back_to_the_20_german_columns(german):
    features = [c for c in german.columns if c != "creditability"]
    pre = fit_preprocessor(german, features, PLAIN)
    assert sorted(pre.groups) == sorted(features)
    assert len(pre.numeric) == 7 and len(pre.categorical) == 13
    x = pre.transform(german)
    assert x.shape == (1000, len(pre.output_names)) and x.dtype == np.float32
    # each categorical column's one-hot block sums to exactly 1 per row
    for column in pre.categorical:
        np.testing.assert_allclose(x[:, pre.groups[column]].sum(axis=1), 1.0)


def test_scaler_is_fitted_on_training_rows_only(german):
    y, _ = encode_binary(german["creditability"])
    split = stratified_split(y, seed=0)
    pre = fit_preprocessor(german.iloc[split.train], ["credit_amount"], PLAIN)
    x_train = pre.transform(german.iloc[split.train])
    x_test = pre.transform(german.iloc[split.test])
    assert abs(x_train.mean()) < 1e-6 and abs(x_train.std() - 1) < 1e-3
    scaler = pre.transformer.named_transformers_["num"][-1]
    assert scaler.mean_[0] == german["credit_amount"].iloc[split.train].mean()
    assert abs(x_test.mean()) > 1e-4  # the test rows were not used to fit the scaler


def test_unseen_category_in_new_rows_does_not_fail(german):
    pre = fit_preprocessor(german, ["purpose"])
    rows = german.head(2).copy()
    rows["purpose"] = ["space travel", None]
    x = pre.transform(rows)
    assert x.shape == (2, len(pre.output_names))


def test_split_is_stratified_and_disjoint(german):
    y, _ = encode_binary(german["creditability"])
    split = stratified_split(y, seed=0)
    parts = [set(split.train), set(split.valid), set(split.test)]
    assert sum(map(len, parts)) == 1000 and not (parts[0] & parts[1] or parts[0] & parts[2] or parts[1] & parts[2])
    assert split.sizes() == {"train": 640, "valid": 160, "test": 200}
    assert y[split.test].mean() == 0.3


def test_quantile_scaler_is_also_fitted_on_training_rows_only(german):
    y, _ = encode_binary(german["creditability"])
    split = stratified_split(y, seed=0)
    pre = fit_preprocessor(german.iloc[split.train], ["credit_amount"], PreprocessConfig(piecewise_knots=0))
    quantiles = pre.transformer.named_transformers_["num"][-1].quantiles_[:, 0]
    train_amounts = german["credit_amount"].iloc[split.train]
    assert quantiles.min() == train_amounts.min() and quantiles.max() == train_amounts.max()
    x_train = pre.transform(german.iloc[split.train])[:, 0]
    assert abs(np.median(x_train)) < 0.05  # quantile-to-normal: the training median maps to about 0


def test_codes_pieces_and_missing_indicators_map_back_to_their_column():
    frame = pd.DataFrame({
        "status": [-1, 0, 1, 2] * 50,  # a few whole-number codes: one-hot as well as scaled
        "amount": np.linspace(100, 5000, 200),  # many values: piecewise-linear pieces as well as scaled
        "rate": [np.nan if i % 10 == 0 else 5 + i / 10 for i in range(200)],  # gaps: a missing indicator
    })
    pre = fit_preprocessor(frame, list(frame.columns), PreprocessConfig(piecewise_knots=4))
    x = pre.transform(frame)
    assert x.shape[1] == len(pre.output_names) == sum(len(v) for v in pre.groups.values())
    names = {c: [pre.output_names[i] for i in idx] for c, idx in pre.groups.items()}
    assert names["status"] == ["status", "status = -1", "status = 0", "status = 1", "status = 2"]
    assert names["amount"][0] == "amount" and len(names["amount"]) == 1 + 4  # degree-1 splines on 4 knots: 4 pieces
    assert names["rate"][:2] == ["rate", "rate is missing"]
    missing = x[:, pre.groups["rate"][1]]
    np.testing.assert_array_equal(missing, frame["rate"].isna().to_numpy().astype("float32"))
    # each row's degree-1 pieces of `amount` sum to 1 (a partition of unity), so they encode position only
    np.testing.assert_allclose(x[:, pre.groups["amount"][1:]].sum(axis=1), 1.0, atol=1e-5)


@pytest.mark.parametrize("kwargs,message", [
    (dict(scaler="minmax"), "Unknown scaler 'minmax'. Available: quantile, standard"),
    (dict(piecewise_knots=1), "piecewise_knots 0 \\(off\\) or at least 2"),
])
def test_invalid_preprocessing_is_refused(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        PreprocessConfig(**kwargs)


def test_defaults_depend_on_table_size_only():
    small, large = fit_defaults(LARGE_TABLE_ROWS - 1), fit_defaults(LARGE_TABLE_ROWS)
    assert (small.batch_size, small.learning_rate, small.preprocessing.piecewise_knots) == (64, 1e-3, 0)
    assert small.preprocessing.scaler == "auto"
    assert (large.batch_size, large.learning_rate, large.preprocessing.scaler) == (1024, 1e-2, "quantile")
    # windows of a price series keep the small-table optimiser, and one network (cross-fitting is for table rows)
    sequence = fit_defaults(100_000, sequence=True)
    assert (sequence.batch_size, sequence.learning_rate) == (64, 1e-3)
    assert sequence.preprocessing == replace(small.preprocessing, woe_inputs=False)
    # a small table reads each column's weight of evidence too; large tables and windows do not
    assert (small.preprocessing.woe_inputs, large.preprocessing.woe_inputs) == (True, False)
    assert (sequence.members, sequence.blend) == (1, ())
    # tables: five cross-fitted networks per architecture, blended with the cross network, up to HUGE_TABLE_ROWS
    assert (small.members, small.blend, large.members, large.blend) == (5, ("dcn",), 5, ("dcn",))
    huge = fit_defaults(HUGE_TABLE_ROWS + 1)
    assert (fit_defaults(HUGE_TABLE_ROWS).members, huge.members, huge.blend, huge.batch_size) == (5, 1, (), 1024)
    assert (small.lr_schedule, large.lr_schedule) == ("constant", "cosine")
    assert (small.preprocessing.target_knots, large.preprocessing.target_knots) == (0, 128)


def test_a_configured_schedule_replaces_the_default_one():
    from finmodels.models.training import TrainConfig

    assert TrainConfig(target="y").resolved(LARGE_TABLE_ROWS).lr_schedule == "cosine"
    assert TrainConfig(target="y", lr_schedule="constant").resolved(LARGE_TABLE_ROWS).lr_schedule == "constant"
    assert TrainConfig(target="y", lr_schedule="reduce_on_plateau").resolved(100).lr_schedule == "reduce_on_plateau"


def test_auto_scaler_sends_only_extreme_tails_to_quantile_scaling():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"age": rng.normal(40, 10, 300),  # ordinary spread: standard scaling
                          "ratio": np.r_[rng.normal(1, 0.2, 299), 5e5]})  # one value 2 million IQRs out
    pre = fit_preprocessor(frame, ["age", "ratio"], PreprocessConfig(scaler="auto", code_levels=0, piecewise_knots=0))
    blocks = {name: list(cols) for name, _, cols in pre.transformer.transformers_ if name in ("num", "numq")}
    assert blocks == {"num": ["age"], "numq": ["ratio"]}
    assert np.abs(pre.transform(frame)[:, pre.groups["ratio"][0]]).max() < 6  # the outlier no longer dominates


@pytest.mark.parametrize("scaler", ["standard", "quantile", "auto"])
def test_numeric_values_invert_the_scaling_back_to_original_units(german, scaler):
    columns = ["duration_in_month", "credit_amount", "age_in_years"]
    pre = fit_preprocessor(german, columns, PreprocessConfig(scaler=scaler, code_levels=0, piecewise_knots=0))
    back = pre.numeric_values(pre.transform(german))
    assert list(back.columns) == columns
    # float32 encodings: a standard scaler inverts to a relative 1e-6, a quantile scaler (interpolating between its
    # quantiles) to a relative 1e-5 (0.07 on a credit amount of several thousand)
    rtol = 1e-5 if scaler == "quantile" else 1e-6
    np.testing.assert_allclose(back.to_numpy(), german[columns].to_numpy(dtype=float), rtol=rtol, atol=0)

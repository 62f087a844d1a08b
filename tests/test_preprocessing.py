import numpy as np

from finmodels.preprocessing import fit_preprocessor
from finmodels.splits import stratified_split
from finmodels.targets import encode_binary


def test_one_hot_groups_map_back_to_the_20_german_columns(german):
    features = [c for c in german.columns if c != "creditability"]
    pre = fit_preprocessor(german, features)
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
    pre = fit_preprocessor(german.iloc[split.train], ["credit_amount"])
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

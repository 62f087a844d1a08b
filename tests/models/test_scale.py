"""What keeps a huge table within memory, on small generated data: chunked encoding, the width budget, rounds of
streamed batches, the baselines' sample, the memory check and --sample. Speed and memory are the benchmark's
(python -m finmodels.bench --scale), never asserted here."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from finmodels.errors import DataError
from finmodels.models import capacity, preprocessing
from finmodels.models.sampling import stratified_positions, stratified_sample


def book(rows: int, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ratio = rng.uniform(0, 1, rows)
    income = rng.lognormal(10, 0.5, rows)
    grade = rng.choice(list("ABCDEFG"), rows)
    risk = (3 * ((ratio * 20).astype(int) % 2) + 2 * (grade >= "E") + 1.5 * (np.log(income) - 10) / 0.5 - 2.5
            + rng.normal(0, 1, rows))
    income[rng.random(rows) < 0.05] = np.nan
    return pd.DataFrame({"ratio": ratio, "income": income, "grade": grade, "term": rng.choice([36, 60], rows),
                         "default": (risk > 0).astype(int)})


def test_chunked_transform_equals_one_pass(monkeypatch):
    frame = book(3000)
    pre = preprocessing.fit_preprocessor(frame, ["ratio", "income", "grade", "term"], target=frame["default"].to_numpy())
    whole = pre.transform(frame)
    monkeypatch.setattr(preprocessing, "TRANSFORM_CHUNK_ROWS", 700)
    chunked = pre.transform(frame)
    assert chunked.dtype == np.float32 and chunked.shape == whole.shape
    np.testing.assert_array_equal(chunked, whole)


def test_width_budget_caps_target_pieces_and_says_so(monkeypatch):
    frame = book(20_000)
    features, y = ["ratio", "income", "grade", "term"], frame["default"].to_numpy()
    free = preprocessing.fit_preprocessor(frame, features, target=y)
    assert free.capped_pieces == 0 and "at most" not in (free.encoding_summary() or "")
    monkeypatch.setattr(preprocessing, "TRAIN_MATRIX_BYTES", 20_000 * 4 * 30)  # room for 30 inputs a row
    capped = preprocessing.fit_preprocessor(frame, features, target=y)
    assert capped.capped_pieces >= 8
    assert len(capped.output_names) < len(free.output_names)
    assert all(len(capped.groups[c]) <= capped.capped_pieces + 1 for c, s in capped.knot_sources.items()
               if s == "target")
    assert f"at most {capped.capped_pieces} pieces" in capped.encoding_summary()


def test_small_files_are_never_capped():
    # Taiwan default's 18,000 training rows would need 5,000 inputs a row before the budget applies; it has 330
    assert preprocessing.TRAIN_MATRIX_BYTES // (4 * 18_000) > 5000
    assert preprocessing.FIT_ROWS > 30_000


@pytest.mark.parametrize("y", [np.r_[np.zeros(900), np.ones(100)], np.repeat(["A", "B", "C"], [500, 300, 200])])
def test_stratified_positions_keep_each_class_share(y):
    keep = stratified_positions(y, 100, seed=1)
    assert len(keep) == 100 and len(np.unique(keep)) == 100 and np.all(np.diff(keep) > 0)
    values, counts = np.unique(y[keep], return_counts=True)
    expected = {v: round(100 * np.mean(y == v)) for v in values}
    assert dict(zip(values, counts)) == expected


def test_stratified_positions_all_rows_when_few_and_random_for_numbers():
    np.testing.assert_array_equal(stratified_positions(np.ones(50), 100), np.arange(50))
    keep = stratified_positions(np.random.default_rng(0).normal(size=5000), 300)
    assert len(keep) == 300 and len(np.unique(keep)) == 300


def test_stratified_sample_drops_rows_without_target_and_keeps_file_order():
    frame = book(2000)
    frame.loc[:9, "default"] = np.nan
    sample = stratified_sample(frame, 500, target="default")
    assert len(sample) == 500 and sample["default"].notna().all()
    assert abs(sample["default"].mean() - frame["default"].mean()) < 0.01


def test_memory_check_names_the_size_and_offers_a_sample():
    frame = book(10_000)
    features = ["ratio", "income", "grade", "term"]
    need, inputs = capacity.estimated_bytes(frame, features)
    capacity.check_fits(frame, features, available=need + 1)
    with pytest.raises(DataError) as error:
        capacity.check_fits(frame, features, available=int(capacity.LIBRARIES_BYTES + (need - capacity.LIBRARIES_BYTES) / 4))
    text = str(error.value)
    assert "10,000 rows" in text and "GB" in text and "--sample" in text and f"{inputs:,} model inputs" in text


def test_memory_check_without_room_for_any_sample():
    frame = book(1000)
    with pytest.raises(DataError, match="Free memory"):
        capacity.check_fits(frame, ["ratio", "income", "grade", "term"], available=1)


@pytest.fixture(scope="module")
def streamed_run():
    """A binary run whose training rows are streamed in rounds of 2 batches of 64, baselines on a sample of 600."""
    from finmodels.models import fastfit
    from finmodels.models.training import tabular
    from finmodels.models.training import TrainConfig, train

    patch = pytest.MonkeyPatch()
    patch.setattr(fastfit, "ROUND_BATCHES", 2)
    patch.setattr(fastfit, "STEP_BUDGET", 40)
    patch.setattr(tabular, "BASELINE_ROWS", 600)
    try:
        frame = book(2000)
        config = TrainConfig(members=1, blend=(),
                             target="default", features=("ratio", "income", "grade", "term"), epochs=50, patience=50,
                             batch_size=64, learning_rate=0.01, seed=0)
        yield train(frame, config)
    finally:
        patch.undo()


def test_streamed_rounds_stop_at_the_step_budget(streamed_run):
    assert len(streamed_run.history["loss"]) == 20  # 40 steps in rounds of 2 batches
    assert np.all(np.isfinite(streamed_run.history["val_loss"]))
    assert streamed_run.metrics["roc_auc"] > 0.7
    assert any("streamed to the network in rounds of 128 rows" in n for n in streamed_run.notes)


def test_baselines_learn_from_a_stratified_sample_and_say_so(streamed_run):
    assert any("stratified sample of 600 of the 1,600" in n for n in streamed_run.notes)
    assert set(streamed_run.baselines) >= {"logistic_regression", "hist_gradient_boosting"}
    assert streamed_run.baselines["logistic_regression"].model.n_features_in_ == len(
        streamed_run.preprocessor.output_names)


def test_round_batches_pad_with_zero_share():
    from finmodels.models.fastfit import _round_batches

    x = np.arange(20, dtype="float32").reshape(10, 2)
    y = np.arange(10, dtype="float32").reshape(-1, 1)
    xb, yb, shares = _round_batches(x, y, np.ones(10, "float32"), np.array([9, 3, 5, 1, 0]), 2)
    assert xb.shape == (3, 2, 2) and yb[0, :, 0].tolist() == [9, 3]
    np.testing.assert_allclose(shares, [[0.5, 0.5], [0.5, 0.5], [1.0, 0.0]])


def test_a_huge_training_set_is_fitted_on_a_sample_but_budgeted_on_every_row(monkeypatch):
    frame = book(6000)
    features, y = ["ratio", "income", "grade", "term"], frame["default"].to_numpy()
    monkeypatch.setattr(preprocessing, "FIT_ROWS", 2000)
    monkeypatch.setattr(preprocessing, "TRAIN_MATRIX_BYTES", 6000 * 4 * 30)
    pre = preprocessing.fit_preprocessor(frame, features, target=y)
    assert pre.capped_pieces and pre.transform(frame).shape == (6000, len(pre.output_names))
    assert len(pre.output_names) <= 30 + 8

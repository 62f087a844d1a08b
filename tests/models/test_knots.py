"""Target-aware knots for the piecewise-linear encoding: kept where they predict held-out training rows better."""

import numpy as np
import pandas as pd
import pytest

from finmodels.errors import ConfigError
from finmodels.models.knots import MIN_PIECE_ROWS, choose_knots, held_out_loss, quantile_knots, target_knots
from finmodels.models.preprocessing import PreprocessConfig, fit_preprocessor


def _step_data(n=6000, seed=7):
    """Events jump from 5% to 95% above a ratio of 0.31: the rule quantile knots miss."""
    rng = np.random.default_rng(seed)
    ratio = rng.uniform(0, 0.8, n)
    y = (rng.random(n) < np.where(ratio > 0.31, 0.95, 0.05)).astype(float)
    return ratio, y


def test_target_knots_put_a_knot_at_the_threshold():
    ratio, y = _step_data()
    edges = target_knots(ratio, y, 16, binary=True)
    assert edges[0] == ratio.min() and edges[-1] == ratio.max() and np.all(np.diff(edges) > 0)
    assert np.min(np.abs(edges - 0.31)) < 0.01
    assert len(edges) <= 16 + 1


def test_a_column_with_a_step_gets_target_knots():
    ratio, y = _step_data()
    knots = choose_knots(ratio, y, quantile_count=8, max_pieces=128)
    assert knots.source == "target"
    assert np.min(np.abs(knots.edges - 0.31)) < 0.01


def test_a_noise_column_keeps_its_quantile_knots():
    rng = np.random.default_rng(1)
    values, y = rng.lognormal(8, 1, 6000), (rng.random(6000) < 0.2).astype(float)
    knots = choose_knots(values, y, quantile_count=8, max_pieces=128)
    assert knots.source == "quantile"
    np.testing.assert_allclose(knots.edges, quantile_knots(values, 8))


@pytest.mark.parametrize("target, rows", [(None, 6000), ("events", 4 * MIN_PIECE_ROWS - 1)])
def test_without_a_target_or_enough_rows_knots_are_quantiles(target, rows):
    ratio, y = _step_data(rows)
    knots = choose_knots(ratio, None if target is None else y, quantile_count=8, max_pieces=128)
    assert knots.source == "quantile" and knots.pieces == 8


def test_a_numeric_target_is_split_by_squared_error():
    rng = np.random.default_rng(2)
    x = rng.uniform(0, 10, 5000)
    y = np.where(x > 7, 100.0, 0.0) + rng.normal(0, 1, 5000)
    knots = choose_knots(x, y, quantile_count=4, max_pieces=32)
    assert knots.source == "target" and np.min(np.abs(knots.edges - 7)) < 0.05


def test_held_out_loss_is_per_row_and_shrinks_empty_pieces_to_the_mean():
    fit_x, fit_y = np.array([0.1, 0.2, 0.8, 0.9]), np.array([0.0, 0.0, 1.0, 1.0])
    loss = held_out_loss(np.array([0.0, 0.5, 1.0]), fit_x, fit_y, np.array([0.15, 0.85]), np.array([0.0, 1.0]),
                         binary=True)
    # each piece's mean is (events + 2 * 0.5) / (rows + 2) = 0.25 and 0.75
    np.testing.assert_allclose(loss, [-np.log(0.75), -np.log(0.75)])


def test_preprocessor_uses_target_knots_only_where_they_help_and_says_so():
    ratio, y = _step_data()
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"ratio": ratio, "noise": rng.lognormal(8, 1, len(ratio))})
    pre = fit_preprocessor(frame, ["ratio", "noise"], PreprocessConfig(), target=y)
    assert pre.knot_sources == {"ratio": "target", "noise": "quantile"}
    assert pre.encoding_summary() == ("Piecewise-linear inputs end at the target's thresholds (found on training "
                                      "rows) for ratio; the other 1 numeric column use quantile knots.")
    names = [pre.output_names[i] for i in pre.groups["ratio"]]
    assert names[0] == "ratio" and names[1] == "ratio (piece 1)" and len(names) > 1 + 8
    assert len([pre.output_names[i] for i in pre.groups["noise"]]) == 1 + 8
    x = pre.transform(frame)
    assert x.shape == (len(frame), len(pre.output_names))
    # degree-1 pieces of one column sum to 1 inside the knots (a partition of unity)
    np.testing.assert_allclose(x[:, pre.groups["ratio"][1:]].sum(axis=1), 1.0, atol=1e-5)
    # without the target every column keeps quantile knots
    assert set(fit_preprocessor(frame, ["ratio", "noise"]).knot_sources.values()) == {"quantile"}
    assert fit_preprocessor(frame, ["ratio"]).encoding_summary() is None


def test_target_knots_setting_is_checked():
    with pytest.raises(ConfigError, match="target_knots must be 0 .off. or at least 2; got 1"):
        PreprocessConfig(target_knots=1)
    ratio, y = _step_data()
    pre = fit_preprocessor(pd.DataFrame({"ratio": ratio}), ["ratio"], PreprocessConfig(target_knots=0), target=y)
    assert pre.knot_sources == {"ratio": "quantile"}


def _large_frame():
    ratio, y = _step_data(9000)
    rng = np.random.default_rng(4)
    return pd.DataFrame({"ratio": ratio, "income": rng.lognormal(10, 0.5, len(ratio)), "label": y.astype(int)})


def test_training_places_knots_with_the_training_target_and_notes_it():
    from finmodels.models.training import TrainConfig, train

    result = train(_large_frame(), TrainConfig(members=1, blend=(),
                                               target="label", task="credit_default", epochs=2), baselines=False)
    assert len(result.split.train) >= 5000  # the large-table defaults apply
    assert result.preprocessor.knot_sources["ratio"] == "target"
    assert any("target's thresholds" in note and "ratio" in note for note in result.notes)
    assert result.metrics["roc_auc"] > 0.85
    # a bundle keeps the knots and where they came from
    from finmodels.models.bundle import bundle_bytes, load_bundle

    loaded = load_bundle(bundle_bytes(result))
    assert loaded.preprocessor.knot_sources == result.preprocessor.knot_sources
    rows = _large_frame().head(50)
    np.testing.assert_allclose(loaded.predict(rows), result.predict(rows), atol=1e-6)


def test_an_anomaly_run_never_places_knots_with_its_held_out_label():
    from finmodels.models.training import TrainConfig, train

    result = train(_large_frame(), TrainConfig(target="label", task="anomaly", arch="vae", epochs=1), baselines=False)
    assert set(result.preprocessor.knot_sources.values()) == {"quantile"}
    assert not any("thresholds" in note for note in result.notes)

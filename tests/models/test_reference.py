"""The plain scikit-learn reference pipelines the benchmark fits beside the network's baselines."""

import numpy as np
import pandas as pd
import pytest

from finmodels.models.reference import fit_plain
from finmodels.data.samples import load_sample
from finmodels.data.targets import prepare_target


def _german():
    frame = load_sample("german_credit")
    rows, y, _ = prepare_target(frame, "creditability")
    return rows, y, [c for c in rows.columns if c != "creditability"]


def test_plain_pipelines_rank_german_credit_well_on_held_out_rows():
    rows, y, features = _german()
    order = np.random.default_rng(0).permutation(len(rows))
    fit_rows, test_rows = order[:800], order[800:]
    out = fit_plain("binary", rows, features, y, fit_rows, test_rows)
    assert set(out) == {"plain_logistic_regression", "plain_hist_gradient_boosting"}
    for result in out.values():
        assert result.test_scores.shape == (200,) and np.all((result.test_scores >= 0) & (result.test_scores <= 1))
        assert 0.70 < result.metrics["roc_auc"] < 0.90
    # the tree pipeline reads text columns as native categories, not one-hot
    tree = out["plain_hist_gradient_boosting"].model[-1]
    assert tree.is_categorical_.sum() == sum(not pd.api.types.is_numeric_dtype(rows[c]) for c in features)


def test_plain_pipelines_take_gaps_and_levels_unseen_in_training():
    rng = np.random.default_rng(1)
    n = 400
    frame = pd.DataFrame({"income": rng.normal(50, 10, n), "grade": rng.choice(["A", "B", "C"], n)})
    y = ((frame["income"] > 50) ^ (frame["grade"] == "C")).astype(int).to_numpy()
    frame.loc[::7, "income"] = np.nan
    frame.loc[350:, "grade"] = "Z"  # only in the test rows
    out = fit_plain("binary", frame, ["income", "grade"], y, np.arange(300), np.arange(300, 400))
    assert all(np.isfinite(r.test_scores).all() for r in out.values())
    assert out["plain_hist_gradient_boosting"].metrics["roc_auc"] > 0.8


def test_plain_pipelines_score_every_rating_class():
    rng = np.random.default_rng(2)
    frame = pd.DataFrame({"ratio": rng.normal(size=300)})
    y = np.digitize(frame["ratio"], [-0.5, 0.5]).astype("int32")
    out = fit_plain("ordinal", frame, ["ratio"], y, np.arange(200), np.arange(200, 300), classes=4)
    for result in out.values():
        assert result.test_scores.shape == (100, 4) and np.allclose(result.test_scores[:, 3], 0)
        assert result.metrics["within_one_notch"] > 0.9


def test_plain_pipelines_refuse_a_regression_task():
    with pytest.raises(ValueError, match="classification tasks, not 'regression'"):
        fit_plain("regression", pd.DataFrame({"a": [1.0]}), ["a"], np.zeros(1), np.arange(1), np.arange(1))

"""Large tables are scored in chunks, by the network and by the baselines: exactly the values of one batch."""

import numpy as np
import pytest

from finmodels.models import baselines
from finmodels.models.training import predict_frame
from finmodels.models.training import sequence


@pytest.mark.parametrize("name", ["logistic_regression", "hist_gradient_boosting"])
def test_baseline_scores_in_chunks_equal_one_batch(german_net, monkeypatch, name):
    model = german_net.baselines[name].model
    x = german_net.preprocessor.transform(german_net.frame)
    whole = model.predict_proba(x)
    monkeypatch.setattr(baselines, "SCORE_ROWS", 64)  # 1,000 rows: 15 full chunks and a short one
    chunked = baselines.predicted_proba(model, x)
    assert chunked.shape == whole.shape == (1000, 2)
    np.testing.assert_array_equal(chunked, whole)


def test_network_scores_in_chunks_equal_one_batch(german_net, monkeypatch):
    args = ("binary", german_net.model, german_net.preprocessor, german_net.frame)
    whole = predict_frame(*args)
    monkeypatch.setattr(sequence, "PREDICT_CHUNK", 150)
    chunked = predict_frame(*args)
    assert chunked.shape == whole.shape == (1000,)
    np.testing.assert_array_equal(chunked, whole)
    assert 0.0 < whole.min() < whole.max() < 1.0

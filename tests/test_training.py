import numpy as np
import pytest

from finmodels.architectures import MLPConfig
from finmodels.errors import ConfigError, DataError
from finmodels.training import TrainConfig, train


def test_unknown_architecture_lists_the_available_ones():
    with pytest.raises(ConfigError, match="Unknown architecture 'transformer'. Available architectures: mlp, cnn"):
        TrainConfig(target="y", arch="transformer")


def test_missing_target_names_the_columns(german):
    with pytest.raises(DataError, match="Target column 'default' not found. Columns are: status_of_existing"):
        train(german, TrainConfig(target="default", epochs=1))


def test_shared_run_has_metrics_history_and_baselines(german_run):
    r = german_run
    assert r.event_label == "bad"
    assert set(r.metrics) >= {"roc_auc", "accuracy", "precision", "recall", "f1", "ks", "gini"}
    assert 0.6 < r.metrics["roc_auc"] <= 1.0
    assert len(r.history["loss"]) == len(r.history["val_loss"]) >= 1
    assert set(r.baselines) == {"logistic_regression", "hist_gradient_boosting"}
    assert r.baselines["logistic_regression"].metrics["roc_auc"] > 0.7
    assert len(r.test_scores) == 200 and np.all((r.test_scores >= 0) & (r.test_scores <= 1))


def test_default_network_reaches_auc_074_on_german_credit(german):
    """Issue 2's bar: default settings, stratified split, seed 0."""
    result = train(german, TrainConfig(target="creditability", seed=0), baselines=False)
    assert result.metrics["roc_auc"] >= 0.74


def test_epoch_hook_sees_every_epoch_and_can_stop_the_run(german):
    seen = []
    result = train(
        german, TrainConfig(target="creditability", hyperparameters=MLPConfig(units=(8,)), epochs=50),
        on_epoch=lambda epoch, logs: seen.append((epoch, logs["val_loss"])), should_stop=lambda: len(seen) >= 3,
        baselines=False,
    )
    assert [e for e, _ in seen] == [0, 1, 2]
    assert result.stopped_early and len(result.history["loss"]) == 3

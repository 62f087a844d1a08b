import numpy as np
import pytest

from finmodels.models.architectures import MLPConfig
from finmodels.errors import ConfigError, DataError
from finmodels.models.training import TrainConfig, train


def test_unknown_architecture_lists_the_available_ones():
    with pytest.raises(ConfigError, match="Unknown architecture 'transformer'. Available architectures: mlp, cnn"):
        TrainConfig(target="y", arch="transformer")


def test_missing_target_names_the_columns(german):
    with pytest.raises(DataError, match="Target column 'default' not found. Columns are: status_of_existing"):
        train(german, TrainConfig(target="default", epochs=1))


def test_shared_run_has_metrics_history_and_baselines(german_net):
    r = german_net
    assert r.event_label == "bad"
    assert set(r.metrics) >= {"roc_auc", "accuracy", "precision", "recall", "f1", "ks", "gini"}
    assert 0.6 < r.metrics["roc_auc"] <= 1.0
    assert len(r.history["loss"]) == len(r.history["val_loss"]) >= 1
    assert set(r.baselines) == {"logistic_regression", "hist_gradient_boosting", "scorecard"}
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


# --- every task kind on tiny configurations ---------------------------------------------------------------

import pandas as pd  # noqa: E402

from finmodels.models.architectures import CNNConfig, GRUConfig, LSTMConfig, VAEConfig  # noqa: E402
from finmodels.data.samples import load_sample  # noqa: E402
from finmodels.data.targets import encode_classes  # noqa: E402
from finmodels.models.training import balanced_class_weights  # noqa: E402
from tests.conftest import SHARED_DATASETS  # noqa: E402

RATIOS = ("currentRatio", "debtRatio", "netProfitMargin", "returnOnAssets", "Sector")
TINY_SEQUENCE = {"cnn": CNNConfig(filters=(4,), kernel_size=2, dense_units=4),
                 "lstm": LSTMConfig(units=(4,), dense_units=4), "gru": GRUConfig(units=(4,), dense_units=4),
                 "mlp": MLPConfig(units=(4,))}


@pytest.fixture(scope="module")
def rating_run():
    frame = pd.read_csv(SHARED_DATASETS / "corporate_rating.csv")
    config = TrainConfig(members=1, blend=(), target="Rating", task="credit_rating", features=RATIOS, epochs=3,
                         hyperparameters=MLPConfig(units=(8,)))
    return train(frame, config)


def test_ratings_are_scored_in_scale_order_with_rare_ratings_merged(rating_run):
    r = rating_run
    assert r.kind == "ordinal"
    assert r.class_labels == ["AAA", "AA", "A", "BBB", "BB", "B", "CCC", "CC/C/D"]  # C has 2 rows, D 1
    assert "CC, C, D are scored as one class 'CC/C/D'" in r.notes[0]
    m = r.metrics
    assert set(m) == {"accuracy", "macro_f1", "log_loss", "within_one_notch", "mean_notch_error"}
    assert 0 <= m["accuracy"] <= m["within_one_notch"] <= 1
    confusion = r.details["confusion"]
    assert confusion.shape == (8, 8) and confusion.sum() == r.split.sizes()["test"]
    assert np.trace(confusion) / confusion.sum() == pytest.approx(m["accuracy"])
    assert set(r.baselines) == {"logistic_regression", "hist_gradient_boosting"}
    assert r.baselines["hist_gradient_boosting"].metrics["within_one_notch"] > 0.6
    proba = r.predict(r.frame.head(5))
    assert proba.shape == (5, 8) and np.allclose(proba.sum(axis=1), 1, atol=1e-5)


def test_encode_classes_orders_grades_and_refuses_unordered_labels():
    y, labels, notes = encode_classes(pd.Series(["3", "1", "2", "10"] * 5), ordinal=True)
    assert labels == ["1", "2", "3", "10"] and y[:4].tolist() == [2, 0, 1, 3] and notes == []
    with pytest.raises(DataError, match="not on a rating scale.*Use the multi-class task"):
        encode_classes(pd.Series(["red", "blue"] * 5, name="colour"), ordinal=True)
    y, labels, _ = encode_classes(pd.Series(["own", "rent", "free"]), ordinal=False)
    assert labels == ["free", "own", "rent"] and y.tolist() == [1, 2, 0]


def test_balanced_class_weights_are_hand_computed():
    # 8 rows: 6 of class 0, 2 of class 1 -> 8 / (2 * 6) and 8 / (2 * 2)
    assert balanced_class_weights(np.array([0] * 6 + [1] * 2)) == pytest.approx({0: 2 / 3, 1: 2.0})


def test_multiclass_without_order(german):
    r = train(german, TrainConfig(members=1, blend=(),
                                  target="housing", task="multiclass", epochs=2, hyperparameters=MLPConfig(units=(4,))),
              baselines=False)
    assert r.class_labels == ["for free", "own", "rent"]
    assert set(r.metrics) == {"accuracy", "macro_f1", "log_loss"}


def test_regression_predicts_in_the_target_units(german):
    r = train(german.drop(columns=["creditability"]),
              TrainConfig(target="credit_amount", task="regression", epochs=3, hyperparameters=MLPConfig(units=(8,))))
    assert set(r.metrics) == {"rmse", "mae", "r2", "mape"}
    # five networks cross-fitted on the training and validation rows: the target is scaled by their mean
    fitted = np.concatenate([r.split.train, r.split.valid])
    assert r.split.method == "random" and r.target_stats[0] == pytest.approx(german["credit_amount"].iloc[fitted].mean())
    assert 1000 < np.mean(r.predict(german.head(50))) < 6000  # euros, not standardised units
    assert set(r.baselines) == {"linear_regression", "hist_gradient_boosting"}
    assert r.baselines["hist_gradient_boosting"].metrics["r2"] > 0.2


def test_regression_target_with_text_is_refused(german):
    frame = german.assign(credit_amount=german["credit_amount"].astype(object))
    frame.loc[[3, 8], "credit_amount"] = "unknown"
    with pytest.raises(DataError, match="'credit_amount' has 2 values that are not numbers \\(e.g. 'unknown'"):
        train(frame, TrainConfig(target="credit_amount", task="regression", epochs=1))


def test_cnn_over_the_feature_axis_and_a_learning_rate_schedule(german):
    config = TrainConfig(target="creditability", arch="cnn", epochs=3, blend=(), members=1, lr_schedule="cosine",
                         hyperparameters=CNNConfig(filters=(4,), dense_units=4), class_weight=True)
    r = train(german, config, baselines=False)
    assert r.model.get_layer("feature_axis") is not None and 0 < r.metrics["roc_auc"] <= 1


@pytest.mark.parametrize("kwargs,message", [
    (dict(task="credit_default", arch="lstm"), "'lstm' reads a sequence of time steps.*no time order"),
    (dict(task="credit_default", arch="gru"), "'gru' reads a sequence"),
    (dict(task="credit_default", arch="vae"), "'vae' network reconstructs rows"),
    (dict(task="anomaly", arch="mlp"), "Anomaly detection learns without labels and uses the 'vae' network"),
    (dict(lr_schedule="step"), "Unknown learning-rate schedule 'step'. Available: constant, reduce_on_plateau"),
    (dict(window=1), "Window length must be between 2 and 500"),
    (dict(var_level=95), "VaR level must be between 0.5 and 1"),
    (dict(target=None), "needs a target column"),
])
def test_invalid_combinations_are_refused_with_a_reason(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        TrainConfig(**{"target": "y", **kwargs})


@pytest.fixture(scope="module")
def index_prices():
    return load_sample("sp500_index").tail(400).reset_index(drop=True)


@pytest.mark.parametrize("arch", ["cnn", "lstm", "gru", "mlp"])
def test_forecast_on_price_windows_with_a_var_backtest(index_prices, arch):
    config = TrainConfig(target=None, task="market_risk", arch=arch, epochs=2, window=5,
                         hyperparameters=TINY_SEQUENCE[arch])
    r = train(index_prices, config)
    sizes = r.split.sizes()
    assert sum(sizes.values()) == 400 - 1 - 5  # one return lost to the first price, five to the first window
    assert r.split.method == "chronological"
    assert r.details["dates"].min() > r.details["train_end"]
    assert set(r.metrics) == {"rmse", "mae", "r2", "directional_accuracy", "var_exceptions", "kupiec_p_value"}
    bt = r.backtest
    assert bt.days == sizes["test"] and bt.exceptions == int(np.sum(r.details["actual"] < -r.details["var"]))
    assert bt.zone in ("green", "yellow", "red") and np.all(r.details["volatility"] > 0)
    assert set(r.baselines) == {"linear_regression", "hist_gradient_boosting", "naive"}
    naive = r.baselines["naive"]
    assert naive.metrics["var_exceptions"] >= 0 and np.allclose(naive.test_scores, r.details["naive"])
    assert len(r.predict(index_prices.tail(30))) == 30 - 1 - 5


def test_forecast_on_a_long_format_multi_asset_file_keeps_tickers_apart():
    frame = load_sample("sp500_10stocks")
    frame = frame[pd.to_datetime(frame["date"]) >= "2017-06-01"].reset_index(drop=True)
    r = train(frame, TrainConfig(target=None, task="asset_allocation", arch="gru", epochs=1, window=5,
                                 hyperparameters=TINY_SEQUENCE["gru"]), baselines=False)
    assert len(set(r.details["tickers"])) == 10
    assert r.preprocessor.series.ticker == "Name" and r.preprocessor.series.price == "close"
    assert r.split.sizes()["train"] + r.split.sizes()["valid"] + r.split.sizes()["test"] == len(frame) - 10 * 6


@pytest.fixture(scope="module")
def taiwan_small():
    return load_sample("taiwan_default").head(3000).drop(columns=["ID"])


def test_vae_anomaly_scores_against_a_held_out_label(taiwan_small):
    config = TrainConfig(target="default_payment_next_month", task="anomaly", arch="vae", epochs=2,
                         features=tuple(taiwan_small.columns), hyperparameters=VAEConfig(units=(8,), latent_dim=2))
    r = train(taiwan_small, config)
    # the label never reaches the network, even when listed among the features
    assert "default_payment_next_month" not in r.preprocessor.columns and len(r.preprocessor.columns) == 23
    assert set(r.metrics) >= {"roc_auc", "pr_auc", "score_median"} and 0 < r.metrics["roc_auc"] < 1
    scores = r.predict(taiwan_small.head(10))
    x = r.preprocessor.transform(taiwan_small.head(10))
    assert np.allclose(scores, np.mean((x - np.asarray(r.model(x, training=False))) ** 2, axis=1), rtol=1e-5)
    assert set(r.baselines) == {"pca", "isolation_forest"} and "roc_auc" in r.baselines["pca"].metrics


def test_vae_anomaly_without_any_label(taiwan_small):
    frame = taiwan_small.drop(columns=["default_payment_next_month"]).head(500)
    r = train(frame, TrainConfig(target=None, task="anomaly", arch="vae", epochs=1,
                                 hyperparameters=VAEConfig(units=(4,), latent_dim=2)))
    assert set(r.metrics) == {"score_median", "score_p99"} and r.split.method == "random"


def test_vae_imputes_missing_values_better_than_the_median(taiwan_small):
    from finmodels.models.training import impute_with_vae

    bills = [f"BILL_AMT{i}" for i in range(1, 7)]  # six strongly correlated monthly balances
    frame = taiwan_small[bills]
    r = train(frame, TrainConfig(target=None, task="anomaly", arch="vae", epochs=40, seed=0, batch_size=256,
                                 hyperparameters=VAEConfig(units=(16,), latent_dim=2, beta=0.1)), baselines=False)
    test = frame.iloc[r.split.test].reset_index(drop=True)
    rng = np.random.default_rng(0)
    holes = test.copy()
    rows = rng.choice(len(test), size=200, replace=False)
    truth = test.loc[rows, "BILL_AMT3"].to_numpy()
    holes.loc[rows, "BILL_AMT3"] = np.nan
    filled = impute_with_vae(r.model, r.preprocessor, holes)
    vae_error = np.sqrt(np.mean((filled.loc[rows, "BILL_AMT3"].to_numpy() - truth) ** 2))
    median = frame.iloc[r.split.train]["BILL_AMT3"].median()
    median_error = np.sqrt(np.mean((median - truth) ** 2))
    assert vae_error < 0.5 * median_error
    assert filled.drop(index=rows)[bills].equals(holes.drop(index=rows)[bills])  # observed cells untouched


@pytest.mark.parametrize("task", __import__("finmodels.data.tasks", fromlist=["TASKS"]).TASKS)
def test_every_task_preset_accepts_each_architecture_it_lists(task):
    from finmodels.data.tasks import TASKS

    for arch in TASKS[task].architectures:
        assert TrainConfig(target="y", task=task, arch=arch).arch == arch


def test_auto_split_follows_the_date_column():
    frame = pd.read_csv(SHARED_DATASETS / "corporate_rating.csv")
    r = train(frame, TrainConfig(members=1, blend=(),
                                 target="Rating", task="credit_rating", features=RATIOS, epochs=1, split="auto",
                                 hyperparameters=MLPConfig(units=(4,))), baselines=False)
    dates = pd.to_datetime(r.frame["Date"])  # the file has a Date column, so the split follows it
    assert r.split.method == "chronological"
    assert dates.iloc[r.split.train].max() < dates.iloc[r.split.test].min()
    with pytest.raises(ConfigError, match="Unknown split 'kfold'. Available: random, auto"):
        TrainConfig(target="y", split="kfold")

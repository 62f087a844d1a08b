"""Explanations of a trained network and its baselines, in German credit's 20 original columns."""

import numpy as np
import pytest

from finmodels.explain.background import background_positions, sample_rows, stratified_positions
from finmodels.errors import ConfigError
from finmodels.explain.explanation import explain_result, output_name
from finmodels.explain.explainers import group_sum


@pytest.fixture(scope="module")
def explanation(german_net):
    return explain_result(german_net, rows=60, background=40)


def test_group_sum_adds_expanded_inputs_back_into_their_column():
    values = np.array([[1.0, 2.0, 3.0], [0.5, 0.5, -1.0]])
    summed = group_sum(values, [[0], [1, 2]])  # age, purpose
    np.testing.assert_allclose(summed, [[1.0, 5.0], [0.5, -0.5]])


def test_explanation_is_in_the_20_original_german_columns(explanation, german):
    features = [c for c in german.columns if c != "creditability"]
    assert sorted(explanation.columns) == sorted(features)
    assert explanation.values.shape == (60, 20)
    assert list(explanation.data.columns) == explanation.columns
    importance = explanation.importance()
    assert importance.iloc[0] > 0 and importance.is_monotonic_decreasing


def test_values_are_shown_unscaled_as_in_the_file(explanation, german):
    # every explained row is a German credit row, value for value, in the file's own units and labels
    merged = explanation.data.merge(german, on=explanation.columns, how="left", indicator=True)
    assert (merged["_merge"] == "both").all()
    assert explanation.data["duration_in_month"].between(4, 72).all()
    assert explanation.data["status_of_existing_checking_account"].str.contains("DM|no checking").all()


def test_dense_network_gets_deepexplainer_and_adds_up_in_probability(explanation, german_net):
    assert explanation.explainer == "DeepExplainer" and explanation.failures == ()
    assert explanation.scale == "probability" and explanation.output_name == "default probability"
    assert explanation.additivity_tolerance == pytest.approx(1e-3)
    assert explanation.additivity_error < 1e-5 and explanation.additive
    # predictions are the network's probabilities for those rows; the base value is the background mean
    assert explanation.predictions.min() >= 0 and explanation.predictions.max() <= 1
    np.testing.assert_allclose(explanation.predictions, german_net.predict(explanation.data), atol=1e-6)


def test_deepexplainer_agrees_with_permutation_shap_not_only_adds_up(explanation, german_net):
    # same rows and background (same seed); permutation SHAP is model-agnostic, so it checks DeepLIFT's values
    reference = explain_result(german_net, rows=60, background=40, explainers=("permutation",), pairs=4)
    assert (reference.row_ids == explanation.row_ids).all()
    assert np.corrcoef(explanation.values.ravel(), reference.values.ravel())[0, 1] > 0.95
    # each column's importance (mean |SHAP|) agrees, not only the order of the first: German credit's second and
    # third columns (duration, credit history) lie within 0.004 of each other, so their order is not the check
    deep, permutation = explanation.importance(), reference.importance().reindex(explanation.importance().index)
    assert deep.index[0] == permutation.idxmax() == "status_of_existing_checking_account"
    assert set(deep.index[:3]) == set(permutation.sort_values(ascending=False).index[:3])
    assert float((deep - permutation).abs().max()) < 0.01
    assert deep.rank().corr(permutation.rank()) > 0.9


def test_reason_codes_name_the_column_and_the_rows_value(explanation):
    row = int(np.argmax(explanation.predictions))
    codes = explanation.reason_codes(row, k=3)
    top = explanation.contributions(row)
    raised = top[top["contribution"] > 0].sort_values("contribution", ascending=False).head(3)
    assert len(codes) == len(raised) > 0
    first = raised.iloc[0]
    assert codes[0].endswith(f"raised default probability by {first['contribution']:.2f}")
    assert f"'{first['value']}'" in codes[0]


def test_rows_by_prediction_lists_every_explained_row_highest_first(explanation):
    order = explanation.rows_by_prediction()
    assert sorted(order) == list(range(len(explanation.predictions)))
    ranked = [explanation.predictions[i] for i in order]
    assert all(a >= b for a, b in zip(ranked, ranked[1:]))


def test_to_dict_has_the_cli_fields(explanation):
    d = explanation.to_dict(reasons=2)
    assert d["explainer"] == "DeepExplainer" and d["background_rows"] == 40
    assert list(d["importance"]) == list(explanation.importance().index)
    assert len(d["rows"]) == 60 and set(d["rows"][0]) == {"prediction", "base_value", "contributions", "reason_codes"}
    row = d["rows"][0]
    assert row["base_value"] + sum(row["contributions"].values()) == pytest.approx(row["prediction"], abs=1e-5)
    assert d["rows_note"] == "Explained 60 of 200 test rows, stratified by outcome."


def test_logistic_baseline_gets_linear_shap_in_log_odds(german_net):
    e = explain_result(german_net, rows=30, background=30, baseline="logistic_regression")
    assert e.explainer == "LinearExplainer" and e.scale == "log-odds" and e.output_name == "default log-odds"
    model = german_net.baselines["logistic_regression"].model
    np.testing.assert_allclose(e.predictions, model.decision_function(german_net.preprocessor.transform(e.data)),
                               atol=1e-5)
    assert e.additivity_error < 1e-4 and len(e.columns) == 20


def test_gradient_boosting_baseline_gets_treeshap_in_probability(german_net):
    e = explain_result(german_net, rows=20, background=20, baseline="hist_gradient_boosting")
    assert e.explainer == "TreeExplainer" and e.scale == "probability"
    model = german_net.baselines["hist_gradient_boosting"].model
    np.testing.assert_allclose(e.predictions, model.predict_proba(german_net.preprocessor.transform(e.data))[:, 1])
    assert e.additivity_error < 1e-6


def test_unknown_baseline_lists_the_runs_baselines(german_net):
    with pytest.raises(ConfigError, match="Unknown baseline 'xgb'. This run has: logistic_regression, hist_grad"):
        explain_result(german_net, baseline="xgb")


def test_kmeans_background_uses_real_training_rows(german_net):
    e = explain_result(german_net, rows=10, background=15, background_method="kmeans")
    assert e.background_rows == 15 and "k-means" in e.background_note and e.additive


def test_stratified_positions_keep_the_event_share():
    y = np.array([0] * 780 + [1] * 220)
    picked = stratified_positions(y, 100, seed=1)
    assert len(picked) == 100 and len(set(picked)) == 100 and y[picked].sum() == 22
    tiny = np.array([0] * 99 + [1])
    assert tiny[stratified_positions(tiny, 10)].sum() == 1  # a rare event still gets one row


def test_sample_rows_says_what_it_did():
    y = np.array([0, 1] * 50)
    assert sample_rows(y, 10, what="test rows").note == "10 of 100 test rows, stratified by outcome."
    assert sample_rows(y, 500).note == "All 100 rows."
    assert "drawn at random" in sample_rows(None, 5, total=40).note


def test_background_refuses_unknown_method_and_empty_size():
    with pytest.raises(ConfigError, match="Unknown background method 'median'. Available: stratified, kmeans"):
        background_positions(np.zeros((5, 2)), None, 2, method="median")
    with pytest.raises(ConfigError, match="at least 1 row; got 0"):
        background_positions(np.zeros((5, 2)), None, 0)


@pytest.mark.parametrize("task,event,scale,expected", [
    ("credit_default", "bad", "probability", "default probability"),
    ("delinquency", "late", "probability", "probability of 'late'"),
    ("credit_default", "bad", "log-odds", "default log-odds"),
    ("regression", None, "model output", "model output"),
])
def test_output_name(task, event, scale, expected):
    assert output_name(task=task, event_label=event, scale=scale) == expected


@pytest.fixture(scope="module")
def forecast_run():
    """A tiny LSTM on the first 300 days of the S&P 500 index: 10-day windows, two epochs."""
    from finmodels.models.architectures import LSTMConfig
    from finmodels.data.samples import load_sample
    from finmodels.models.training import TrainConfig, train

    prices = load_sample("sp500_index").head(300)
    config = TrainConfig(target=None, task="market_risk", arch="lstm", window=10, epochs=2, seed=0,
                         hyperparameters=LSTMConfig(units=(4,), dense_units=4))
    return train(prices, config)


def test_lstm_forecast_is_explained_per_lag_and_series_in_return_units(forecast_run):
    e = explain_result(forecast_run, rows=12, background=10, pairs=1)
    assert e.explainer == "PermutationExplainer" and e.failures == ()
    channels = forecast_run.preprocessor.columns
    assert e.columns == channels and e.lag_values.shape == (12, 10, len(channels)) and e.lags[0] == 10
    assert e.output_name == "predicted next-day return" and e.scale == "return"
    # in return units: the network's own test forecasts for the explained windows
    np.testing.assert_allclose(e.predictions, forecast_run.test_scores[e.row_ids], rtol=1e-4, atol=1e-7)
    assert e.additivity_error < e.additivity_tolerance
    # shown values are the window's last observation, unscaled: daily log returns are small numbers
    assert e.data["return"].abs().max() < 0.1
    assert e.rows_note.startswith("Explained 12 of ") and "test windows, drawn at random" in e.rows_note


def test_forecast_defaults_cap_windows_at_200_and_reasons_speak_of_the_window(forecast_run):
    e = explain_result(forecast_run, background=20)
    assert len(e.predictions) == min(200, len(forecast_run.split.test))
    row = int(np.argmax(e.values.max(axis=1)))
    top = e.columns[int(np.argmax(e.values[row]))]
    assert e.reason_codes(row)[0].startswith(f"{top} over the last 10 days (latest ")


def test_forecast_baselines_are_explained_and_the_naive_rule_is_refused(forecast_run):
    e = explain_result(forecast_run, rows=8, background=8, baseline="linear_regression")
    assert e.explainer == "LinearExplainer" and e.lag_values.shape[:2] == (8, 10) and e.additive
    with pytest.raises(ConfigError, match="'naive' baseline is a fixed rule"):
        explain_result(forecast_run, baseline="naive")


@pytest.fixture(scope="module")
def anomaly_run(german):
    from finmodels.models.architectures import VAEConfig
    from finmodels.models.training import TrainConfig, train

    config = TrainConfig(target="creditability", task="anomaly", arch="vae", epochs=2, seed=0,
                         hyperparameters=VAEConfig(units=(8,), latent_dim=2))
    return train(german, config)


def test_vae_anomaly_score_is_explained_by_permutation_in_the_original_columns(anomaly_run):
    e = explain_result(anomaly_run, rows=15, background=10, pairs=1)
    assert e.explainer == "PermutationExplainer" and e.scale == "anomaly score" and len(e.columns) == 20
    np.testing.assert_allclose(e.predictions, anomaly_run.test_scores[np.searchsorted(anomaly_run.split.test,
                                                                                       e.row_ids)], rtol=1e-4)
    assert e.additivity_error < e.additivity_tolerance
    iso = explain_result(anomaly_run, rows=10, background=10, baseline="isolation_forest", pairs=1)
    assert iso.explainer == "PermutationExplainer" and iso.additive


@pytest.fixture(scope="module")
def rating_run():
    import pandas as pd

    from finmodels.models.architectures import MLPConfig
    from finmodels.models.training import TrainConfig, train

    from tests.conftest import SHARED_DATASETS

    ratings = pd.read_csv(SHARED_DATASETS / "corporate_rating.csv").drop(columns=["Name", "Symbol", "Date"])
    config = TrainConfig(members=1, blend=(),
                         target="Rating", task="credit_rating", hyperparameters=MLPConfig(units=(8,)), epochs=2)
    return train(ratings, config, baselines=False)  # multi-class boosting would take 40 s here


def test_rating_model_explains_the_probability_of_one_rating(rating_run):
    e = explain_result(rating_run, rows=20, background=20)
    # permutation SHAP, not DeepLIFT, whose softmax rule gives a class probability values unrelated to it
    assert e.output_name == "probability of 'BBB'" and e.explainer == "PermutationExplainer" and e.target_class == "BBB"
    bbb = rating_run.class_labels.index("BBB")
    np.testing.assert_allclose(e.predictions, rating_run.predict(e.data)[:, bbb], atol=1e-6)
    assert e.additivity_error < 1e-4
    aa = explain_result(rating_run, rows=5, background=5, output="AA")
    assert aa.output_name == "probability of 'AA'" and aa.target_class == "AA"
    with pytest.raises(ConfigError, match="Unknown class 'AAAA'. Classes are: AAA, AA, A, BBB, BB, B, CCC"):
        explain_result(rating_run, output="AAAA")


def test_a_rating_run_offers_its_classes_in_scale_order_and_explains_the_one_asked_for(rating_run):
    from finmodels.explain.explanation import explainable_classes

    classes = explainable_classes(rating_run)
    assert classes[:7] == ["AAA", "AA", "A", "BBB", "BB", "B", "CCC"] and set(classes) == set(rating_run.class_labels)
    e = explain_result(rating_run, target_class="A", rows=20, background=20)
    assert e.target_class == "A" and e.output_name == "probability of 'A'"
    a = rating_run.class_labels.index("A")
    np.testing.assert_allclose(e.predictions, rating_run.predict(e.data)[:, a], atol=1e-6)
    row = int(np.argmax(e.values.max(axis=1)))
    assert e.reason_codes(row)[0].endswith(f"raised probability of 'A' by {e.values[row].max():.2f}")
    d = e.to_dict(reasons=1)
    assert d["class"] == "A" and d["output"] == "probability of 'A'"
    assert "Values are changes in the probability of 'A' (probability scale)" in e.summary()
    with pytest.raises(ConfigError, match="Give the class to explain once: target_class='A' and output='AA' differ."):
        explain_result(rating_run, target_class="A", output="AA")


def test_rating_bundle_explains_its_most_predicted_class(rating_run, tmp_path):
    from finmodels.models.bundle import load_bundle, save_bundle
    from finmodels.explain.explanation import explain_bundle

    save_bundle(rating_run, tmp_path / "rating.zip")
    bundle = load_bundle(tmp_path / "rating.zip")
    e = explain_bundle(bundle, rating_run.frame, rows=10, background=10)
    predicted = rating_run.predict(bundle.background).mean(axis=0).argmax()
    assert e.output_name == f"probability of '{rating_run.class_labels[predicted]}'"
    assert e.target_class == rating_run.class_labels[predicted]
    assert e.additive and len(e.predictions) == 10
    chosen = explain_bundle(bundle, rating_run.frame, target_class="BB", rows=5, background=5)
    assert chosen.target_class == "BB" and chosen.output_name == "probability of 'BB'"
    from finmodels.explain.explanation import explainable_classes

    assert explainable_classes(bundle) == explainable_classes(rating_run)


def test_every_name_in_the_explanation_modules_all_exists():
    import finmodels.explain as front
    import finmodels.explain.explanation as module
    import finmodels.explain.outputs as outputs

    for mod in (module, front):
        missing = [name for name in mod.__all__ if not hasattr(mod, name)]
        assert missing == [], f"{mod.__name__}.__all__ names what it lacks: {missing}"
    assert callable(module.explainable_classes) and callable(outputs.classes_of)


@pytest.mark.parametrize("task,event,scale,target,expected", [
    ("delinquency", "1", "probability", "SeriousDlqin2yrs", "probability of SeriousDlqin2yrs = 1"),
    ("binary", "True", "log-odds", "chargeoff", "log-odds of chargeoff = True"),
    ("delinquency", "late", "probability", "status", "probability of 'late'"),
    ("credit_default", "1", "probability", "default_payment_next_month", "default probability"),
    ("delinquency", "1", "probability", None, "probability of '1'"),
])
def test_a_coded_event_is_named_by_its_column(task, event, scale, target, expected):
    assert output_name(task=task, event_label=event, scale=scale, target=target) == expected


def test_a_binary_run_explains_its_risk_event_and_says_so(explanation, german_net):
    from finmodels.explain.explanation import explainable_classes

    assert explainable_classes(german_net) == ["bad"]
    assert explanation.target_class == "bad" and explanation.to_dict()["class"] == "bad"
    with pytest.raises(ConfigError, match=r"^This model explains the probability of its risk event 'bad'; class "
                                          r"'good' is its complement \(its contributions are the same with the sign "
                                          r"turned\). Explain 'bad'.$"):
        explain_result(german_net, target_class="good")


def test_an_anomaly_run_with_a_chosen_target_keeps_the_outcome_share_and_does_not_deny_the_column(anomaly_run):
    e = explain_result(anomaly_run, rows=15, background=10, pairs=1)
    assert "no outcome column" not in e.rows_note + e.background_note
    assert e.rows_note == "Explained 15 of 200 test rows, stratified by outcome."
    # drawn from the 200 training rows the run keeps (its bundle saves them), stratified by outcome among its 640
    assert e.background_note == ("10 of the 200 training rows the run keeps for explanations (its bundle saves them; "
                                 "stratified by outcome), drawn at random.")
    assert e.target_class is None and e.to_dict()["class"] is None


def test_reason_codes_on_explain_leave_out_negligible_effects(german_net):
    from finmodels.explain.reasons import negligible_effect

    explanation = explain_result(german_net, rows=60, seed=0)
    floor = negligible_effect(explanation.scale, explanation.predictions)
    assert floor == pytest.approx(0.005)
    tiny = 0
    for row in range(len(explanation.predictions)):
        positive = explanation.values[row][explanation.values[row] > 0]
        tiny += int(((positive > 0) & (positive <= floor)).sum())
        expected = int((positive > floor).sum())
        assert len(explanation.reason_codes(row, k=50)) == expected
    assert tiny > 0  # there were tiny raises, and none of them became a reason

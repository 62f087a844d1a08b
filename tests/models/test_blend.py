"""The blend of architectures: ensemble selection on out-of-fold predictions, its loss, the weighted model, and
the default run on German credit (five cross-fitted dense networks and five deep & cross ones, blended)."""

import numpy as np
import pytest

from finmodels.data.tasks import BINARY, MULTICLASS, REGRESSION
from finmodels.models.training.blend import out_of_fold_loss, selection_weights, weighted
from finmodels.models.training.members import member_parts

ARCHS = ("mlp", "dcn")


@pytest.fixture(scope="module")
def bad(german):
    return (german["creditability"] == "bad").to_numpy("float64")


def test_a_clearly_better_candidate_takes_all_the_weight(bad):
    sharp = np.where(bad == 1, 0.8, 0.2)
    assert selection_weights(BINARY, bad, {"flat": np.full(len(bad), 0.5), "sharp": sharp}) == {"flat": 0.0,
                                                                                                "sharp": 1.0}


def test_two_candidates_right_on_different_rows_share_the_weight(bad):
    half = np.arange(len(bad)) < len(bad) // 2
    sharp = np.where(bad == 1, 0.9, 0.1)
    first = np.where(half, sharp, 0.5)  # right on the first half, no opinion on the second
    second = np.where(half, 0.5, sharp)
    assert selection_weights(BINARY, bad, {"first": first, "second": second}) == {"first": 0.5, "second": 0.5}


def test_selection_finds_the_mix_with_no_error(german):
    # one candidate 4 units too high on every row, the other 1 too low: 0.2 of the first and 0.8 of the second is
    # exact, and the greedy steps of 1/20 reach it without a tie on the way
    amount = german["credit_amount"].to_numpy("float64") / 1000
    step = np.random.default_rng(0).uniform(0.5, 1.5, len(amount))
    weights = selection_weights(REGRESSION, amount, {"high": amount + 4 * step, "low": amount - step})
    assert weights == {"high": 0.2, "low": 0.8}
    assert out_of_fold_loss(REGRESSION, amount, 0.2 * (amount + 4 * step) + 0.8 * (amount - step)) < 1e-20


def test_out_of_fold_loss_is_log_loss_for_classes_and_squared_error_for_numbers(german, bad):
    from sklearn.metrics import log_loss, mean_squared_error

    rng = np.random.default_rng(1)
    p = rng.uniform(0.01, 0.99, len(bad))
    assert out_of_fold_loss(BINARY, bad, p) == pytest.approx(log_loss(bad, p), rel=1e-9)
    assert out_of_fold_loss(BINARY, bad, p[:, None]) == pytest.approx(log_loss(bad, p), rel=1e-9)
    classes = german["purpose"].astype("category").cat.codes.to_numpy()
    probabilities = rng.dirichlet(np.ones(10), len(classes))
    assert out_of_fold_loss(MULTICLASS, classes, probabilities) == pytest.approx(
        log_loss(classes, probabilities, labels=range(10)), rel=1e-6)
    amount = german["credit_amount"].to_numpy("float64")
    guess = amount.mean() + rng.normal(0, 500, len(amount))
    assert out_of_fold_loss(REGRESSION, amount, guess[:, None]) == pytest.approx(
        mean_squared_error(amount, guess), rel=1e-9)


def test_the_weighted_model_is_the_weighted_sum_of_its_parts():
    import keras

    from finmodels.models.architectures import MLPConfig, get_architecture
    from finmodels.models.cross import DCNConfig

    keras.utils.set_random_seed(0)
    models = {"mlp": get_architecture("mlp").build(MLPConfig(units=(5,)), input_shape=(6,), n_outputs=1,
                                                   output_activation="sigmoid"),
              "dcn": get_architecture("dcn").build(DCNConfig(cross_layers=1, rank=2, units=(4,)), input_shape=(6,),
                                                   n_outputs=1, output_activation="sigmoid")}
    x = np.random.default_rng(2).normal(size=(50, 6)).astype("float32")
    mixed = weighted(models, {"mlp": 0.35, "dcn": 0.65})
    expected = 0.35 * np.asarray(models["mlp"](x)) + 0.65 * np.asarray(models["dcn"](x))
    np.testing.assert_allclose(np.asarray(mixed(x, training=False)), expected, atol=1e-6)
    assert [layer.name for layer in mixed.layers if "weight" in layer.name] == ["mlp_weight", "dcn_weight"]
    assert weighted({"dcn": models["dcn"]}, {"mlp": 0.0, "dcn": 1.0}) is models["dcn"]


def _ensemble(result) -> tuple[int, tuple[str, ...]]:
    """(networks per architecture, architectures blended beside the run's own) the run used: its settings', where
    the row count decides them, else its configuration's."""
    settings = result.settings
    if getattr(settings, "members", None) is not None:
        return settings.members, settings.blend
    return result.config.members, result.config.blend


def _networks(result, arch):
    """The averaged networks of one architecture inside a run's model."""
    weights = result.details["blend_weights"]
    return result.model.get_layer(f"{arch}_networks") if min(weights.values()) > 0 else result.model


def _recomputed_losses(result, kind, y_fitted):
    """Each architecture's out-of-fold loss, and the blend's, from the run's own networks: network k of each
    architecture predicts the part of the pooled training and validation rows it stopped early on."""
    pooled = np.sort(np.concatenate([result.split.train, result.split.valid]))
    x = result.preprocessor.transform(result.frame.iloc[pooled])
    parts = member_parts(y_fitted, _ensemble(result)[0], kind=kind, seed=result.config.seed)
    weights = result.details["blend_weights"]
    found, mixed = {}, 0.0
    for arch in (a for a in ARCHS if weights[a] > 0):
        networks = _networks(result, arch)
        oof = np.zeros((len(pooled), 1), "float32")
        for k, (_, stop) in enumerate(parts):
            oof[stop] = np.asarray(networks.get_layer(f"network_{k + 1}")(x[stop], training=False))
        found[arch] = out_of_fold_loss(kind, y_fitted, oof)
        mixed = mixed + weights[arch] * oof
    found["blend"] = out_of_fold_loss(kind, y_fitted, mixed)
    return found


@pytest.fixture(scope="module")
def blended(german):
    from finmodels.models.training import TrainConfig, train

    return train(german, TrainConfig(target="creditability", epochs=5, seed=0))


def test_the_default_run_blends_cross_fitted_dense_and_cross_networks(blended):
    r = blended
    assert _ensemble(r) == (5, ("dcn",))
    weights = r.details["blend_weights"]
    assert set(weights) == {"mlp", "dcn"} and sum(weights.values()) == pytest.approx(1.0)
    assert all(abs(w * 20 - round(w * 20)) < 1e-9 for w in weights.values())  # shares of 20 picks
    assert set(r.details["blend_losses"]) == {"mlp", "dcn", "blend"}
    (note,) = [n for n in r.notes if n.startswith("The model blends")]
    assert "weighted by ensemble selection on the out-of-fold predictions" in note
    assert f"out-of-fold loss {r.details['blend_losses']['blend']:.4f}" in note
    others = {f"network_{k}_{name}" for k in range(2, 11) for name in ("loss", "val_loss")}
    assert set(r.history) == {"loss", "val_loss"} | others
    assert all(1 <= len(r.history[f"network_{k}_val_loss"]) <= 5 for k in range(2, 11))


def test_the_blend_weights_and_losses_are_those_of_the_runs_own_networks(blended):
    pooled = np.sort(np.concatenate([blended.split.train, blended.split.valid]))
    found = _recomputed_losses(blended, BINARY, blended.y[pooled].astype("float64"))
    for name, loss in found.items():
        assert loss == pytest.approx(blended.details["blend_losses"][name], abs=1e-5)
    assert 0.3 < found["blend"] < 0.69  # better than a coin on German credit's 30% bad loans


def test_the_test_scores_are_the_blended_models_predictions(blended):
    x_test = blended.preprocessor.transform(blended.frame.iloc[blended.split.test])
    np.testing.assert_allclose(blended.test_scores, np.asarray(blended.model(x_test, training=False)).ravel(),
                               atol=1e-6)
    assert blended.metrics["roc_auc"] > 0.7


def test_the_blends_shap_values_add_up(blended):
    from finmodels.explain.explainers import additivity
    from finmodels.explain.explanation import explain_result

    explanation = explain_result(blended, rows=20, background=20)
    error, tolerance = additivity(explanation)
    assert explanation.explainer == "DeepExplainer" and explanation.failures == ()
    assert error < 1e-5 and error <= tolerance and len(explanation.predictions) == 20
    rows = explanation.data
    np.testing.assert_allclose(explanation.predictions, blended.predict(rows), atol=1e-5)


def test_the_blends_bundle_scores_the_same(blended, german):
    from finmodels.models.bundle import bundle_bytes, load_bundle

    bundle = load_bundle(bundle_bytes(blended))
    again = bundle.train_config()
    assert bundle.arch == "mlp" and (again.members, again.blend) == (blended.config.members, blended.config.blend)
    rows = german.head(80)
    np.testing.assert_allclose(bundle.predict(rows), blended.predict(rows), atol=1e-6)


def test_a_regression_run_blends_by_squared_error_and_predicts_in_euros(german):
    from finmodels.models.training import TrainConfig, train

    frame = german.drop(columns=["creditability"])
    r = train(frame, TrainConfig(target="credit_amount", task="regression", epochs=5, seed=0), baselines=False)
    pooled = np.sort(np.concatenate([r.split.train, r.split.valid]))
    amount = r.y[pooled].astype("float64")
    mean, std = r.target_stats
    assert mean == pytest.approx(amount.mean()) and std == pytest.approx(amount.std())
    assert _ensemble(r) == (5, ("dcn",)) and set(r.details["blend_weights"]) == {"mlp", "dcn"}
    assert sum(r.details["blend_weights"].values()) == pytest.approx(1.0)
    # the losses are squared errors of the networks' standardised output, out of fold
    found = _recomputed_losses(r, REGRESSION, (amount - mean) / std)
    for name, loss in found.items():
        assert loss == pytest.approx(r.details["blend_losses"][name], abs=1e-5)
    assert found["blend"] < 1.0  # better than the mean amount, whose squared error is 1 on this scale
    scores = r.predict(frame.head(50))
    assert 1000 < np.mean(scores) < 6000  # euros, not standardised units
    np.testing.assert_allclose(np.asarray(r.model(r.preprocessor.transform(frame.head(50)))).ravel() * std + mean,
                               scores, rtol=1e-5)

"""The least-cost threshold is chosen on rows no network learned from and that are not the test rows (each pooled
row's out-of-fold score, or a single network's validation rows), so its cost on the test rows is a fair estimate;
before, it was chosen on the test rows it was then reported on (a validator's finding: optimistic by design)."""

import numpy as np

from finmodels.evaluation.threshold_basis import least_cost_threshold_of, threshold_basis
from finmodels.evaluation.thresholds import CostMatrix, decisions_at, least_cost_decision

COSTS = CostMatrix(5, 1)


def test_a_cross_fitted_run_chooses_on_the_out_of_fold_scores_of_its_pooled_rows(german_run):
    basis = threshold_basis(german_run)
    pooled = np.sort(np.concatenate([german_run.split.train, german_run.split.valid]))
    assert basis.rows == "out-of-fold" and len(basis.scores) == len(pooled) == 800
    # the labels are the pooled rows' own, in the pooled rows' order
    assert np.array_equal(basis.labels, np.asarray(german_run.y)[pooled].astype(int))
    assert np.intersect1d(pooled, german_run.split.test).size == 0
    # out-of-fold scores are not the blended model's in-sample scores: those would rank their own rows far better
    in_sample = german_run.predict(german_run.frame.iloc[pooled])
    from sklearn.metrics import roc_auc_score

    assert roc_auc_score(basis.labels, basis.scores) < roc_auc_score(basis.labels, in_sample) - 0.02
    chosen = least_cost_threshold_of(german_run, COSTS)
    assert chosen.threshold == least_cost_decision(basis.labels, basis.scores, COSTS).threshold
    test = decisions_at(german_run.y_test, german_run.test_scores, chosen.threshold, costs=COSTS)
    assert chosen.on_test.cost == test.cost and int(chosen.on_test.confusion.sum()) == 200
    assert "out-of-fold scores of the 800 training and validation rows" in basis.phrase()


def test_a_single_network_chooses_on_its_validation_rows(german_net):
    basis = threshold_basis(german_net)
    assert basis.rows == "validation" and len(basis.scores) == len(german_net.split.valid)
    assert np.array_equal(basis.labels, np.asarray(german_net.y)[german_net.split.valid].astype(int))
    valid = german_net.predict(german_net.frame.iloc[german_net.split.valid])
    assert np.allclose(basis.scores, valid, atol=1e-5)


def test_a_run_kept_before_has_only_its_test_rows_and_says_so(german_net):
    import dataclasses

    old = dataclasses.replace(german_net, details={k: v for k, v in german_net.details.items()
                                                   if not k.startswith("threshold_")})
    basis = threshold_basis(old)
    assert basis.on_test and len(basis.scores) == 200
    chosen = least_cost_threshold_of(old, COSTS)
    assert chosen.on_test == chosen.chosen
    assert chosen.threshold == least_cost_decision(old.y_test, old.test_scores, COSTS).threshold


def test_the_basis_survives_the_workspace(german_run, tmp_path):
    from finmodels.runtime.workspace import Workspace

    workspace = Workspace(tmp_path / "ws")
    run_id = workspace.log_run(german_run, data_name="german.csv", data_fingerprint="x" * 64)
    back = workspace.load_result(run_id)
    basis, before = threshold_basis(back), threshold_basis(german_run)
    assert basis.rows == "out-of-fold" and np.array_equal(basis.labels, before.labels)
    assert np.allclose(basis.scores, before.scores)
    assert least_cost_threshold_of(back, COSTS).threshold == least_cost_threshold_of(german_run, COSTS).threshold

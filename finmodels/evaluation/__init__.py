"""Evaluation: the third stage. Held-out predictions become the numbers a risk team judges a model by.

`metrics` computes each task's metrics and the comparison with the baselines; `curves` the ROC, PR, KS,
calibration, gain and lift data; `thresholds` the least-cost threshold under a cost matrix, `threshold_basis`
the rows it is chosen on (out-of-fold scores, never the test rows); `backtest` the
VaR backtest (exceptions, Kupiec, Christoffersen, Basel zone); `monitoring` the population stability of scores
and features; `fairness` approval rates and adverse impact by protected group; `losses` expected loss and the
calibration of predicted against realised losses (`losses_of` a loss model run's); `labels` how metrics and models are named.
"""

from finmodels.evaluation.backtest import var_backtest
from finmodels.evaluation.fairness import fairness_reports, result_fairness
from finmodels.evaluation.losses import LossEvaluation, evaluate_losses, expected_loss, loss_calibration, losses_of
from finmodels.evaluation.metrics import METRIC_LABELS, binary_metrics, comparison_table
from finmodels.evaluation.monitoring import psi_table, stability_report
from finmodels.evaluation.thresholds import CostMatrix, choose_threshold, decisions_at

__all__ = ["CostMatrix", "LossEvaluation", "METRIC_LABELS", "binary_metrics", "choose_threshold", "comparison_table",
           "decisions_at", "evaluate_losses", "expected_loss", "fairness_reports", "loss_calibration", "losses_of",
           "psi_table", "result_fairness", "stability_report", "var_backtest"]

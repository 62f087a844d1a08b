"""Evaluation: the third stage. Held-out predictions become the numbers a risk team judges a model by.

`metrics` computes each task's metrics and the comparison with the baselines; `curves` the ROC, PR, KS,
calibration, gain and lift data; `thresholds` the least-cost threshold under a cost matrix; `backtest` the
VaR backtest (exceptions, Kupiec, Basel zone); `monitoring` the population stability of scores and features.
"""

from finmodels.evaluation.backtest import var_backtest
from finmodels.evaluation.metrics import METRIC_LABELS, binary_metrics, comparison_table
from finmodels.evaluation.monitoring import psi_table, stability_report
from finmodels.evaluation.thresholds import CostMatrix, choose_threshold, decisions_at

__all__ = ["CostMatrix", "METRIC_LABELS", "binary_metrics", "choose_threshold", "comparison_table",
           "decisions_at", "psi_table", "stability_report", "var_backtest"]

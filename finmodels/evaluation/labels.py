"""How metrics and models are named for an analyst: one table each, read by metrics, baselines, pages and reports."""

METRIC_LABELS = {
    "roc_auc": "ROC AUC", "gini": "Gini", "pr_auc": "PR AUC", "ks": "KS", "brier": "Brier score",
    "log_loss": "Log loss", "accuracy": "Accuracy", "precision": "Precision", "recall": "Recall", "f1": "F1",
    "rmse": "RMSE", "mae": "MAE", "r2": "R²", "mape": "MAPE", "macro_f1": "Macro F1",
    "within_one_notch": "Within one notch", "mean_notch_error": "Mean notch error",
    "directional_accuracy": "Directional accuracy", "score_median": "Median score", "score_p99": "99th pct score",
    "var_exceptions": "VaR exceptions", "kupiec_p_value": "Kupiec p-value",
    "loss_ratio": "Predicted / realised loss", "loss_calibration_error": "Loss calibration error",
}

BASELINE_LABELS = {
    "logistic_regression": "Logistic regression", "hist_gradient_boosting": "Gradient boosting",
    "linear_regression": "Linear regression", "naive": "Naive forecast (last return)",
    "pca": "PCA reconstruction", "isolation_forest": "Isolation forest", "scorecard": "Scorecard",
}

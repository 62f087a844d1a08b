"""finmodels: the computing core of the risk dashboard, one subpackage per stage an analyst's data passes through.

    data/        reading, profiling, validation, targets, task presets, splits, price windows, samples
    models/      preprocessing, architectures, training, baselines, bundles
    evaluation/  metrics, curves, thresholds, backtests, monitoring
    explain/     SHAP explanations in the data's own columns, reason codes
    delivery/    scoring new files, exports, reports, the session's runs
    plots/       plotly figures for every stage
    commands/    the command line (`python -m finmodels COMMAND`)

Importing any of it is cheap: TensorFlow, Keras and SHAP are imported only inside the functions that build,
train or explain models.
"""

__version__ = "0.1.0"

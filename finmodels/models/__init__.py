"""Models: the second stage. Prepared rows become a fitted network, its baselines and a bundle.

`preprocessing` and `knots` encode the columns (fitted on training rows only); `architectures` is the registry
of network builders (dense, 1-D convolution, LSTM, GRU, variational autoencoder); `training` runs the whole
fit (`train(frame, TrainConfig)`); `fastfit` is the compiled epoch table networks train through; `seeds`
makes runs reproducible; `baselines` fits logistic/linear regression and gradient boosting on the same
split and inputs; `reference` holds the plain scikit-learn pipelines the benchmark compares with; `bundle`
saves and loads a model as one zip without running code from it; `losses` holds the soft ordinal cross-entropy
of ratings. `ensembles` builds TabM, a parameter-efficient ensemble of dense networks ('tabm'); `scorecard` is the classic credit scorecard challenger (optimal binning,
WoE, IV, logistic regression, points by PDO; `fit_scorecard`, `scorecard_run`); `search` is the optuna
hyperparameter search on validation rows (`search.search`, `SearchResult`, `best_config`, `TEST_ROWS_NOTE`;
its spaces per architecture in `search_spaces`).

Importing this package is cheap: TensorFlow is imported inside the functions that build or fit.
"""

from finmodels.models.architectures import ARCHITECTURES, get_architecture
from finmodels.models.baselines import BASELINE_LABELS, BaselineResult, fit_baselines
from finmodels.models.bundle import bundle_bytes, load_bundle, save_bundle
from finmodels.models.preprocessing import PreprocessConfig, Preprocessor, fit_preprocessor
from finmodels.models.scorecard import ScorecardConfig, fit_scorecard, scorecard_run
from finmodels.models.search import TEST_ROWS_NOTE, SearchResult, best_config
from finmodels.models.training import TrainConfig, fit_defaults, predict_frame, train

__all__ = ["ARCHITECTURES", "BASELINE_LABELS", "BaselineResult", "PreprocessConfig", "Preprocessor",
           "ScorecardConfig", "SearchResult", "TEST_ROWS_NOTE", "TrainConfig", "best_config", "bundle_bytes",
           "ensembles", "fit_baselines", "fit_defaults", "fit_preprocessor", "fit_scorecard", "get_architecture",
           "load_bundle", "predict_frame", "save_bundle", "scorecard", "scorecard_run", "search", "train"]

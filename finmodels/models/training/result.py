"""What a run leaves: `TrainingResult` (the model, its split, history, metrics and baselines) and its scores.

`predict_frame` turns a model's raw outputs into the analyst's units for each task kind; the dashboard, a saved
bundle and the explainers all score rows through it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from finmodels.data.splits import Split
from finmodels.data.tasks import ANOMALY, BINARY, FORECAST, MULTICLASS, ORDINAL, REGRESSION
from finmodels.errors import ConfigError
from finmodels.models.preprocessing import Preprocessor
from finmodels.models.training.config import FitDefaults, TrainConfig

@dataclass
class TrainingResult:
    """A finished run: the model, what it was fitted with, and how it scored on held-out rows.

    `kind` is the task kind. `test_scores` are the network's raw test outputs: event probabilities (binary),
    class probabilities (multi-class, ordinal), predicted values (regression), forecast returns (forecast) or
    reconstruction errors (anomaly). `details` holds what the evaluation charts need for the kind (e.g. dates,
    actual, volatility and VaR for a forecast); `backtest` is the VaR backtest of a forecast run.
    """

    config: TrainConfig
    model: object
    preprocessor: object  # Preprocessor for table rows, SequencePreprocessor for price windows
    frame: pd.DataFrame  # the rows used (target present), in their original units
    y: np.ndarray
    event_label: str
    split: Split
    history: dict[str, list[float]]
    test_scores: np.ndarray
    metrics: dict[str, float]
    baselines: dict = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    stopped_early: bool = False
    kind: str = BINARY
    class_labels: list[str] = field(default_factory=list)  # class index -> label, scale order for ratings
    target_stats: tuple[float, float] = (0.0, 1.0)  # (mean, std) the network's numeric output is scaled by
    details: dict = field(default_factory=dict)
    backtest: object | None = None
    notes: list[str] = field(default_factory=list)
    settings: "FitDefaults | None" = None  # batch size, learning rate and preprocessing actually used
    run_id: str | None = None  # the run's id in the workspace (finmodels.runtime), once it is kept there
    data_info: dict = field(default_factory=dict)  # the data file's name, shape and fingerprint (not the data)

    def detached(self) -> "TrainingResult":
        """A copy without the Keras model, for the web process: everything Evaluate and Report draw from.

        The model stays in the worker that trained it (finmodels.runtime.worker) and in the run's bundle.
        """
        return dataclasses.replace(self, model=None)

    @property
    def y_test(self) -> np.ndarray:
        """The held-out targets, in the order of `test_scores`.

        A run read back from a workspace (`Workspace.load_result`) has no rows (`frame` is None) and keeps only
        these targets in `y`; any other result holds every row's target and its split. A forecast run read back
        with its price file put back (`runtime.restore.with_rows`) has the file's rows but still only the test
        windows' targets: `y` too short for the split's positions is those targets.
        """
        y = np.asarray(self.y)
        if self.frame is None or (len(self.split.test) and len(y) <= int(np.max(self.split.test))):
            return y
        return y[self.split.test]

    @property
    def features(self) -> list[str]:
        return self.preprocessor.columns

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        """Scores for new rows with the training columns (see `predict_frame` for what each kind returns)."""
        return predict_frame(self.kind, self.model, self.preprocessor, frame, target_stats=self.target_stats)


def predict_frame(kind: str, model, preprocessor, frame: pd.DataFrame, *,
                  target_stats: tuple[float, float] = (0.0, 1.0)) -> np.ndarray:
    """Model outputs for `frame` in the user's units.

    binary: event probability per row; multiclass/ordinal: class probabilities (rows x classes);
    regression: predicted value; forecast: next-day return per window (one per day with a full window before
    it); anomaly: reconstruction error per row (higher = more unusual).
    """
    x = preprocessor.transform(frame)
    out = predict_rows(model, x)
    mean, std = target_stats
    if kind == BINARY:
        return out.ravel()
    if kind in (MULTICLASS, ORDINAL):
        return out
    if kind == REGRESSION:
        return out.ravel() * std + mean
    if kind == FORECAST:
        return out[:, 0] * std + mean
    if kind == ANOMALY:
        return reconstruction_error(x, out)
    raise ConfigError(f"Unknown task kind '{kind}'.")


def predict_rows(model, x: np.ndarray) -> np.ndarray:
    """The network's raw outputs for encoded rows, in chunks on a large table: one batch of 1M test rows held the
    network's activations for all (1.1 GB at 5M)."""
    from finmodels.models.training.sequence import PREDICT_CHUNK, _predict

    return np.asarray(model.predict_on_batch(x)) if len(x) <= PREDICT_CHUNK else _predict(model, x)


def reconstruction_error(x: np.ndarray, reconstruction: np.ndarray) -> np.ndarray:
    """Mean squared difference per row between model inputs and their reconstruction: the anomaly score."""
    return np.mean((np.asarray(x) - np.asarray(reconstruction)) ** 2, axis=1)


def impute_with_vae(model, preprocessor: Preprocessor, frame: pd.DataFrame, *, iterations: int = 10) -> pd.DataFrame:
    """Fill the missing numeric values of `frame` with a trained VAE's reconstruction, in original units.

    Starts from the preprocessing's median fill, then repeatedly replaces only the missing entries by the
    network's reconstruction, so the observed values of a row steer what is filled in. Other cells are untouched.
    """
    numeric = list(preprocessor.numeric)
    missing = frame[numeric].apply(pd.to_numeric, errors="coerce").isna().to_numpy() if numeric else None
    if not numeric or not missing.any():
        return frame.copy()
    x = preprocessor.transform(frame)
    cols = [preprocessor.groups[c][0] for c in numeric]
    for _ in range(int(iterations)):
        recon = np.asarray(model(x, training=False))
        x[:, cols] = np.where(missing, recon[:, cols], x[:, cols])
    values = preprocessor.numeric_values(x).to_numpy()  # inverts whichever scaler each column went through
    out = frame.copy()
    for j, c in enumerate(numeric):
        if missing[:, j].any():
            out[c] = pd.to_numeric(out[c], errors="coerce").astype("float64")
            out.loc[missing[:, j], c] = values[missing[:, j], j]
    return out

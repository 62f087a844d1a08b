"""The classic credit scorecard, the challenger a credit committee compares any new model with.

Each feature is cut into bins by optbinning's optimal binning (numeric bins follow a monotonic trend in the
event rate; text columns, and the number codes a run reads as categories, are grouped by event rate), every bin
becomes its weight of evidence (WoE), a logistic regression is fitted on the WoE values, and its coefficients
become points scaled by PDO and odds (points to double the odds, and the score at given odds). Missing and
special values get bins of their own.

WoE follows optbinning's sign: ln(share of non-events / share of events), so a bin with fewer events than
average has a positive WoE. Points follow the same direction: more points, less risk.

`fit_scorecard` fits one on rows in their original units; `ScorecardModel` scores new rows and gives the
binning table, the points table and the information value (IV) of each feature. `scorecard_baseline` is the
baseline trained beside the network; `scorecard_run` is the command line's whole path (split, fit, test).
"""

from __future__ import annotations

import importlib
import sys
import time
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from finmodels.errors import ConfigError, DataError
from finmodels.models.preprocessing import level_text
from finmodels.models.scorecard_tables import IV_BANDS, iv_band, iv_table  # noqa: F401  (IV_BANDS, iv_band: public here too)

# optbinning calls pandas APIs that pandas 3 deprecates: a German credit run wrote 100 such warnings (one per bin
# statistic and per table) to the server's log, about code we do not own. optbinning's other warnings still show.
warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"optbinning\.")

NAME = "scorecard"
SOLVER_LIBRARY = "ortools.sat.python.cp_model_helper"


def _load_solver() -> bool:
    """Load the optimal binning's solver library (OR-Tools CP-SAT) now; True when it is safe to use here.

    OR-Tools and TensorFlow each carry their own copy of abseil and protobuf. With ortools 9.15 and
    tensorflow 2.21, CP-SAT crashed the whole process (a segmentation fault) when its library was loaded after
    TensorFlow's, and worked when loaded first. This module is imported with `finmodels.models` (through
    `baselines`), before any network is built, so the library is loaded first; a process that had TensorFlow
    already fits its scorecards in a fresh process instead (`fit_scorecard`).
    """
    safe = "tensorflow" not in sys.modules
    try:
        importlib.import_module(SOLVER_LIBRARY)
    except ImportError:  # optbinning's own import will say what is missing, when a scorecard is asked for
        pass
    return safe


SOLVER_SAFE = _load_solver()
MISSING_BIN, SPECIAL_BIN = "Missing", "Special"


@dataclass(frozen=True)
class ScorecardConfig:
    """How the scorecard bins and scales.

    `points` are given to a row at `odds` (non-events per event, 50 = 50:1), and every `pdo` points double
    the odds. `special_codes` are values binned apart from the rest (e.g. 999 for "not applicable").
    `min_bin_size` is the smallest share of rows in a bin; `max_bins` the most bins per feature.
    """

    pdo: float = 20.0
    odds: float = 50.0
    points: float = 600.0
    max_bins: int = 8
    min_bin_size: float = 0.05
    monotonic_trend: str = "auto_asc_desc"
    special_codes: tuple = ()

    def __post_init__(self):
        problems = []
        if not self.pdo > 0:
            problems.append(f"points to double the odds (pdo) must be above 0; got {self.pdo}")
        if not self.odds > 0:
            problems.append(f"odds must be above 0; got {self.odds}")
        if not 2 <= self.max_bins <= 50:
            problems.append(f"bins per feature must be 2 to 50; got {self.max_bins}")
        if not 0 < self.min_bin_size <= 0.5:
            problems.append(f"the smallest bin share must be above 0 and at most 0.5; got {self.min_bin_size}")
        if problems:
            raise ConfigError("Scorecard settings: " + "; ".join(problems) + ".")


def _bin_text(value) -> str:
    """A bin as text: an interval as optbinning writes it, or the categories it groups, comma-separated."""
    if isinstance(value, str) or not hasattr(value, "__iter__"):
        return str(value)
    return ", ".join(str(v) for v in value)  # categories: a list or an array (pandas' string arrays included)


@dataclass
class ScorecardModel:
    """A fitted scorecard over rows in their original units (optbinning's Scorecard inside)."""

    scorecard: object
    features: list[str]
    categorical: list[str]
    config: ScorecardConfig = field(default_factory=ScorecardConfig)

    def _rows(self, frame: pd.DataFrame) -> pd.DataFrame:
        missing = [c for c in self.features if c not in frame.columns]
        if missing:
            raise DataError(f"The data lacks {len(missing)} column(s) the scorecard was fitted on: "
                            f"{', '.join(map(str, missing[:10]))}. Score a file with the training columns.")
        rows = frame[self.features].copy()
        for column in self.categorical:  # optbinning compares categories as text, spelled as the network reads them
            rows[column] = rows[column].astype(object).where(rows[column].notna()).map(
                lambda v: v if v is None or (isinstance(v, float) and np.isnan(v)) else level_text(v))
        return rows

    def predict_proba(self, frame: pd.DataFrame) -> np.ndarray:
        """(non-event, event) probabilities per row, as a scikit-learn classifier gives them."""
        return self.scorecard.predict_proba(self._rows(frame))

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        """The event probability per row."""
        return self.predict_proba(frame)[:, 1]

    def points(self, frame: pd.DataFrame) -> np.ndarray:
        """Each row's total points (higher: lower risk)."""
        return np.asarray(self.scorecard.score(self._rows(frame)), dtype="float64")

    def _detailed(self) -> pd.DataFrame:
        return self.scorecard.table(style="detailed")

    def binning_table(self) -> pd.DataFrame:
        """One row per feature and bin: rows, share, non-events, events, event rate, WoE and IV of the bin.

        Missing and special values have bins of their own (empty when the training rows had none).
        """
        t = self._detailed()
        return pd.DataFrame({
            "feature": t["Variable"].astype(str).to_numpy(), "bin": [_bin_text(b) for b in t["Bin"]],
            "rows": t["Count"].astype(int).to_numpy(), "share": t["Count (%)"].astype(float).to_numpy(),
            "non_events": t["Non-event"].astype(int).to_numpy(), "events": t["Event"].astype(int).to_numpy(),
            "event_rate": t["Event rate"].astype(float).to_numpy(), "woe": t["WoE"].astype(float).to_numpy(),
            "iv": t["IV"].astype(float).to_numpy(),
        })

    def points_table(self) -> pd.DataFrame:
        """One row per feature and bin: its WoE and the points a row in it gets."""
        t = self._detailed()
        return pd.DataFrame({"feature": t["Variable"].astype(str).to_numpy(), "bin": [_bin_text(b) for b in t["Bin"]],
                             "woe": t["WoE"].astype(float).to_numpy(), "points": t["Points"].astype(float).to_numpy()})

    def iv(self) -> pd.Series:
        """Information value per feature, largest first."""
        table = self.iv_table()
        return pd.Series(table["iv"].to_numpy(), index=pd.Index(table["feature"], name="feature"), name="iv")

    def iv_table(self) -> pd.DataFrame:
        """feature, IV, its reading (not predictive ... strong) and the number of bins with rows."""
        return iv_table(self.binning_table())

    def coefficients(self) -> pd.Series:
        """The logistic regression's coefficient on each feature's WoE. They should be negative (a higher WoE
        means fewer events); a positive one gives a safer bin fewer points, which a validator will question."""
        t = self._detailed()
        return t.groupby("Variable", sort=False)["Coefficient"].first().astype(float).rename_axis("feature")

    def sign_notes(self) -> list[str]:
        """One note per feature whose coefficient has the counter-intuitive sign."""
        wrong = self.coefficients()
        wrong = wrong[wrong > 0]
        return [f"Feature '{name}' has a coefficient of {value:+.3f} on its WoE: its safer bins get fewer points "
                "(it is probably correlated with a stronger feature). Consider leaving it out."
                for name, value in wrong.items()]

    def point_range(self) -> tuple[float, float]:
        """The lowest and highest total points a row can get."""
        t = self.points_table()
        per = t.groupby("feature")["points"]
        return float(per.min().sum()), float(per.max().sum())


def categorical_columns(frame: pd.DataFrame, features: list[str], categories=()) -> list[str]:
    """The features binned as categories: every column that is not numbers, and the number columns a run reads as
    categories (`categories`: the Data page's 'categorical' role, `TrainConfig.categories`), such as Taiwan's
    EDUCATION codes 0 to 6, which have no order (4 is 'other', not more schooling than 3)."""
    named = set(categories or ())
    return [c for c in features if c in named or not pd.api.types.is_numeric_dtype(frame[c])
            or pd.api.types.is_bool_dtype(frame[c])]


def fit_scorecard(rows: pd.DataFrame, y, *, features: list[str], config: ScorecardConfig | None = None,
                  categories=()) -> ScorecardModel:
    """Fit a scorecard on `rows` (original units) and `y` (1 = the risk event, 0 = not). Text columns and the
    number columns named in `categories` are binned as categories (levels spelled by `preprocessing.level_text`,
    '2' for 2 or 2.0), the other numbers as ordered intervals.

    In a process where TensorFlow was loaded before the binning's solver (see `_load_solver`), the fit runs in
    a fresh process, which costs a few seconds more; elsewhere it runs here.
    """
    categories = tuple(c for c in categories or () if c in set(features))
    if SOLVER_SAFE:
        return _fit(rows, y, features=features, config=config, categories=categories)
    return _fit_in_fresh_process(rows[list(features)], np.asarray(y), features=list(features), config=config,
                                 categories=categories)


def _fit_in_fresh_process(rows: pd.DataFrame, y: np.ndarray, *, features: list[str], config,
                          categories=()) -> ScorecardModel:
    # A plain interpreter that imports only this module (multiprocessing's spawn would re-run the parent's main
    # module, which may import TensorFlow). Pickle is safe here: both ends are this code, nothing comes from a file.
    import os
    import pickle
    import subprocess
    from pathlib import Path

    root = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)}
    done = subprocess.run([sys.executable, "-c", "from finmodels.models.scorecard import _fit_stdio; _fit_stdio()"],
                          input=pickle.dumps((rows, y, features, config, categories)), capture_output=True, env=env,
                          check=False)
    if done.returncode != 0:
        raise RuntimeError(f"The scorecard's fit in a fresh process failed:\n{done.stderr.decode(errors='replace')}")
    return pickle.loads(done.stdout)


def _fit_stdio() -> None:
    """The fresh process's side of `_fit_in_fresh_process`: pickled arguments in, the pickled model out."""
    import pickle

    rows, y, features, config, categories = pickle.loads(sys.stdin.buffer.read())
    model = _fit(rows, y, features=features, config=config, categories=categories)
    sys.stdout.buffer.write(pickle.dumps(model))


def _fit(rows: pd.DataFrame, y, *, features: list[str], config: ScorecardConfig | None = None,
         categories=()) -> ScorecardModel:
    from optbinning import BinningProcess, Scorecard
    from sklearn.linear_model import LogisticRegression

    config = config or ScorecardConfig()
    y = np.asarray(y).astype(int)
    if len(np.unique(y)) != 2:
        raise DataError(f"A scorecard needs both outcomes among its training rows; these {len(y):,} rows have only "
                        f"{'events' if y.size and y[0] == 1 else 'non-events'}. Use more rows.")
    categorical = categorical_columns(rows, features, categories)
    numeric_params = {"monotonic_trend": config.monotonic_trend}
    binning = BinningProcess(
        list(features), categorical_variables=categorical, max_n_bins=config.max_bins,
        min_bin_size=config.min_bin_size, special_codes=list(config.special_codes) or None,
        binning_fit_params={c: numeric_params for c in features if c not in categorical})
    scorecard = Scorecard(binning, LogisticRegression(max_iter=1000), scaling_method="pdo_odds",
                          scaling_method_params={"pdo": config.pdo, "odds": config.odds,
                                                 "scorecard_points": config.points})
    model = ScorecardModel(scorecard, list(features), categorical, config)
    scorecard.fit(model._rows(rows), y)
    return model


def scorecard_baseline(train_rows: pd.DataFrame, y_train, test_rows: pd.DataFrame, y_test, *, features: list[str],
                       config: ScorecardConfig | None = None, categories=()):
    """The scorecard as a baseline beside the network: fitted on the same training rows in their original units,
    scored on the same test rows; its test scores are event probabilities like the network's. `categories`: the
    number columns the run reads as categories, binned as categories here too."""
    from finmodels.evaluation.metrics import binary_metrics
    from finmodels.models.baselines import BaselineResult

    start = time.perf_counter()
    model = fit_scorecard(train_rows, y_train, features=features, config=config, categories=categories)
    seconds = time.perf_counter() - start
    scores = model.predict(test_rows)
    return BaselineResult(NAME, model, scores, binary_metrics(np.asarray(y_test), scores), seconds)


@dataclass
class ScorecardRun:
    """A scorecard fitted on a file's training rows and tested on its held-out rows (the command's result)."""

    model: ScorecardModel
    target: str
    event_label: str
    metrics: dict[str, float]
    rows: dict[str, int]  # training and test rows
    test_scores: np.ndarray
    y_test: np.ndarray
    seconds: float
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """Plain JSON-ready content: metrics, IV per feature, every bin with its WoE and points."""
        points = self.model.points_table()
        low, high = self.model.point_range()
        return {
            "target": self.target, "event": self.event_label, "rows": dict(self.rows),
            **{k: float(v) for k, v in self.metrics.items()}, "metrics": {k: float(v) for k, v in self.metrics.items()},
            "iv": {str(k): float(v) for k, v in self.model.iv().items()},
            "bins": [{"feature": r.feature, "bin": r.bin, "woe": float(r.woe), "points": float(r.points)}
                     for r in points.itertuples()],
            "scaling": {"pdo": self.model.config.pdo, "odds": self.model.config.odds,
                        "points": self.model.config.points, "range": [low, high]},
            "fit_seconds": self.seconds, "notes": list(self.notes),
        }


def binary_target(frame: pd.DataFrame, target: str, event_label: str | None = None):
    """(rows with the target, y, event label); a target that is not binary is a DataError naming the task a
    scorecard supports."""
    from finmodels.data.targets import binary_labels, prepare_target, rows_with_target
    from finmodels.data.tasks import get_task

    rows = rows_with_target(frame, target)
    labels = binary_labels(rows[target])
    if len(labels) != 2:
        shown = ", ".join(f"'{v}'" for v in labels[:10]) + (" ..." if len(labels) > 10 else "")
        raise DataError(
            f"Column '{target}' has {len(labels)} values ({shown}); a scorecard supports only the "
            f"{get_task('credit_default').label.lower()} task, a target with exactly 2 values (good/bad, 0/1). "
            "Pick a binary target, or train the network for this task.")
    return prepare_target(frame, target, event_label)


def scorecard_run(frame: pd.DataFrame, *, target: str, event_label: str | None = None,
                  features: list[str] | None = None, config: ScorecardConfig | None = None, test_size: float = 0.2,
                  valid_size: float = 0.2, split: str = "random", seed: int = 0, categories=()) -> ScorecardRun:
    """Split `frame` as a training run does (the same `split` method, sizes and seed give the same rows), fit the
    scorecard on the training and validation rows and test it on the held-out rows. `features` default to the
    profile's feature columns; `categories` are number columns to bin as categories (a run's `TrainConfig.categories`,
    or its preprocessor's `categorical`)."""
    from finmodels.data.profiling import profile
    from finmodels.data.splits import split_for_run
    from finmodels.evaluation.metrics import binary_metrics

    rows, y, event = binary_target(frame, target, event_label)
    features = [c for c in (features or profile(rows, target=target).features) if c != target]
    unknown = [c for c in features if c not in rows.columns]
    if unknown:
        raise DataError(f"Feature column(s) {', '.join(map(repr, unknown))} not found. Columns are: "
                        f"{', '.join(map(str, rows.columns))}.")
    if not features:
        raise DataError("There are no feature columns besides the target. Upload a file with more columns.")
    # the training run's default split, so the held-out rows are the network's own; the scorecard, like the
    # other baselines, needs no early-stopping rows and learns from the validation rows too
    parts = split_for_run(rows, y, target=target, method=split, test_size=test_size, valid_size=valid_size, seed=seed)
    fit = np.sort(np.concatenate([parts.train, parts.valid]))
    start = time.perf_counter()
    model = fit_scorecard(rows.iloc[fit], y[fit], features=features, config=config, categories=categories)
    seconds = time.perf_counter() - start
    scores = model.predict(rows.iloc[parts.test])
    notes = [f"Fitted on {len(fit):,} rows in {seconds:.1f} s; tested on {len(parts.test):,} held-out rows "
             f"({parts.method} split, seed {seed}, the same test rows as a training run's).", *model.sign_notes()]
    return ScorecardRun(model, target, event, binary_metrics(y[parts.test], scores),
                        {"train": len(fit), "test": len(parts.test)}, scores, y[parts.test], seconds, notes)

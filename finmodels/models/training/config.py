"""What defines a run: `TrainConfig`, checked when it is made, and the defaults shared by every caller.

The dashboard, the command line and the benchmark all resolve batch size, learning rate, its schedule and
preprocessing through `fit_defaults`, so a run started anywhere trains the same way.
"""

from __future__ import annotations

import dataclasses

from dataclasses import dataclass

from finmodels.data.tasks import ANOMALY, FORECAST, get_task
from finmodels.errors import ConfigError
from finmodels.models.architectures import get_architecture
from finmodels.models.preprocessing import PreprocessConfig

MAX_MEMBERS = 20
DEFAULT_ARCH = "mlp"  # TrainConfig.arch's default: blended with fit_defaults' blend unless told otherwise
LR_SCHEDULES = ("constant", "reduce_on_plateau", "cosine")


# "random": stratified for classes, shuffled for numbers. "auto": chronological when the table has a date column,
# grouped when an entity (borrower, company) repeats, else random (finmodels.data.splits.split_for_profile).
# "date" and "entity": that one, or a message saying the file has no such column (finmodels.data.splits.split_for_run).
SPLITS = ("random", "auto", "date", "entity")


@dataclass(frozen=True)
class TrainConfig:
    """Everything that defines a run; frozen so a finished run's settings cannot drift.

    `target` is the label column; for forecast tasks the price column (None finds `Adj Close`/`close`), for
    anomaly detection an optional label held out of training and used only to score the result.
    """

    target: str | None
    task: str = "credit_default"
    arch: str = DEFAULT_ARCH
    hyperparameters: object | None = None  # the architecture's config dataclass; None means its defaults
    features: tuple[str, ...] | None = None  # None means the profile's features (no ids, dates, free text)
    event_label: str | None = None
    epochs: int = 100
    batch_size: int | None = None  # None: fit_defaults() for the number of training rows
    learning_rate: float | None = None  # None: fit_defaults() for the number of training rows
    patience: int = 10
    class_weight: bool = False
    seed: int = 0
    test_size: float = 0.2
    valid_size: float = 0.2
    lr_schedule: str | None = None  # one of LR_SCHEDULES; None: fit_defaults() for the number of training rows
    window: int = 20  # days per window, for forecast tasks
    var_level: float = 0.99  # VaR confidence for the forecast backtest
    horizon: int = 1  # days the portfolio VaR covers, for forecast tasks
    holdings: tuple[tuple[str, float], ...] | None = None  # (ticker, weight) pairs; None: equal weight
    risk_aversion: float = 5.0  # asset allocation: mean-variance risk aversion
    cap: float = 0.25  # asset allocation: most weight in one asset
    split: str = "random"  # one of SPLITS, for table rows; price windows are always split by date
    preprocessing: PreprocessConfig | None = None  # None: fit_defaults() for the number of training rows
    # table rows with a target: networks cross-fitted on the training and validation rows and averaged
    # (training.members); 1 is one network that learns from the training rows and stops on the validation rows;
    # None: fit_defaults() for the number of training rows
    members: int | None = None
    # more architectures cross-fitted beside `arch` on table rows with a target, blended by weights chosen on
    # out-of-fold predictions (training.blend); () is `arch` alone; None: fit_defaults()' blend for the number of
    # rows when `arch` is DEFAULT_ARCH, else `arch` alone (auto_blend)
    blend: tuple[str, ...] | None = None
    categories: tuple[str, ...] = ()  # numeric columns read as categories (codes without an order; the Data page)

    def __post_init__(self):
        task = get_task(self.task)
        spec = get_architecture(self.arch)
        if self.hyperparameters is not None and not isinstance(self.hyperparameters, spec.config_class):
            raise ConfigError(f"Hyperparameters for '{self.arch}' must be a {spec.config_class.__name__}.")
        _check_arch_for_task(self.arch, task)
        for name in ("epochs", "batch_size", "patience"):
            if getattr(self, name) is not None and int(getattr(self, name)) < 1:
                raise ConfigError(f"{name} must be at least 1; got {getattr(self, name)}.")
        if self.members is not None and not (int(self.members) == self.members and 1 <= self.members <= MAX_MEMBERS):
            raise ConfigError(f"The number of cross-fitted networks must be a whole number from 1 to {MAX_MEMBERS}; "
                              f"got {self.members}.")
        if self.blend is not None:  # JSON gives lists; keep the config hashable
            object.__setattr__(self, "blend", tuple(dict.fromkeys(self.blend)))
        object.__setattr__(self, "categories", tuple(dict.fromkeys(self.categories or ())))
        if self.arch in (self.blend or ()):
            raise ConfigError(f"'{self.arch}' is the chosen network itself; blend it with another architecture "
                              "(e.g. dcn), or with none.")
        if self.blend and self.members == 1:
            raise ConfigError("A blend needs cross-fitted networks: its weights are chosen on their out-of-fold "
                              "predictions. Set the cross-fitted networks to 2 or more, or the blend to none.")
        for other in self.blend or ():
            if other == "vae" or not get_architecture(other).supports("tabular"):
                raise ConfigError(f"'{other}' cannot be blended: only networks that read table rows and predict the "
                                  "target can (mlp, dcn, cnn, tabm, plr).")
        if self.learning_rate is not None and not 0 < self.learning_rate < 1:
            raise ConfigError(f"Learning rate must be between 0 and 1; got {self.learning_rate}.")
        if not (0 < self.test_size < 0.5 and 0 < self.valid_size < 0.5):
            raise ConfigError("Test and validation shares must each be between 0 and 0.5.")
        if self.lr_schedule is not None and self.lr_schedule not in LR_SCHEDULES:
            raise ConfigError(f"Unknown learning-rate schedule '{self.lr_schedule}'. Available: {', '.join(LR_SCHEDULES)}.")
        if self.split not in SPLITS:
            raise ConfigError(f"Unknown split '{self.split}'. Available: {', '.join(SPLITS)}.")
        if not 2 <= int(self.window) <= 500:
            raise ConfigError(f"Window length must be between 2 and 500 days; got {self.window}.")
        if not 0.5 < self.var_level < 1:
            raise ConfigError(f"VaR level must be between 0.5 and 1 (e.g. 0.99); got {self.var_level}.")
        if not (int(self.horizon) == self.horizon and 1 <= int(self.horizon) <= 20):
            raise ConfigError(f"VaR horizon must be a whole number of days from 1 to 20; got {self.horizon}.")
        if not self.risk_aversion > 0:
            raise ConfigError(f"Risk aversion must be positive (e.g. 5); got {self.risk_aversion}.")
        if not 0 < self.cap <= 1:
            raise ConfigError(f"The cap per asset must be above 0 and at most 1 (e.g. 0.25); got {self.cap}.")
        if self.holdings is not None:
            pairs = tuple((str(t), float(w)) for t, w in
                          (self.holdings.items() if isinstance(self.holdings, dict) else self.holdings))
            total = sum(w for _, w in pairs)
            if not pairs or abs(total - 1) > 0.005:
                raise ConfigError(f"Holdings weights must add up to 1; they add up to {total:.4g}. Normalise them "
                                  "(finmodels.data.holdings.read_holdings(..., normalise=True)).")
            object.__setattr__(self, "holdings", pairs)  # JSON gives lists; keep the config hashable
        if task.kind not in (FORECAST, ANOMALY) and not self.target:
            raise ConfigError(f"The {task.label.lower()} task needs a target column. Choose it on the Data page.")

    @property
    def hyper(self):
        return self.hyperparameters or get_architecture(self.arch).config_class()

    def resolved(self, train_rows: int, *, sequence: bool = False) -> "FitDefaults":
        """Batch size, learning rate, its schedule and preprocessing for this run: the configured ones, else the
        defaults."""
        auto = fit_defaults(train_rows, sequence=sequence)
        return FitDefaults(
            batch_size=int(self.batch_size) if self.batch_size is not None else auto.batch_size,
            learning_rate=float(self.learning_rate) if self.learning_rate is not None else auto.learning_rate,
            preprocessing=dataclasses.replace(self.preprocessing or auto.preprocessing, categories=self.categories)
            if self.categories else self.preprocessing or auto.preprocessing,
            lr_schedule=self.lr_schedule or auto.lr_schedule,
            members=(members := int(self.members) if self.members is not None else auto.members),
            blend=(self.blend if self.blend is not None else auto_blend(self.arch, auto.blend)) if members > 1 else (),
        )


LARGE_TABLE_ROWS = 5000
# Up to this many training rows a table run cross-fits five dense and five cross networks and blends them
# (training.members, training.blend: 0.003 to 0.009 better than one network on the bench's development folds);
# above it one network learns from them all. The cross network's cost grows with rows times inputs: one of them on
# the 100,000-row loan book (64,000 training rows, 423 inputs) ran for over a minute here, so ten networks would
# take several minutes where one takes seconds, and a network's seed-to-seed spread shrinks with the rows.
HUGE_TABLE_ROWS = 50_000


def expected_train_rows(rows: int, *, test_size: float = 0.2, valid_size: float = 0.2) -> int:
    """How many of `rows` the default split puts in training, to show the defaults before a run."""
    return int(rows * (1 - test_size) * (1 - valid_size))


@dataclass(frozen=True)
class FitDefaults:
    batch_size: int
    learning_rate: float
    preprocessing: PreprocessConfig
    lr_schedule: str = "constant"
    members: int = 1  # cross-fitted networks per architecture (training.members)
    blend: tuple[str, ...] = ()  # architectures blended with the chosen one (training.blend)

    @classmethod
    def from_dict(cls, data: dict) -> "FitDefaults":
        """The settings from `dataclasses.asdict` of them, read back from JSON (a bundle's manifest)."""
        return cls(**{**data, "preprocessing": PreprocessConfig(**(data.get("preprocessing") or {})),
                      "blend": tuple(data.get("blend") or ())})


def fit_defaults(train_rows: int, *, sequence: bool = False) -> FitDefaults:
    """The one set of defaults the dashboard, the command line and the benchmark share.

    Measured in 5-fold CV (python -m finmodels.bench): on large tables quantile scaling, whole-number codes
    and piecewise-linear inputs lifted the network to gradient boosting's AUC; knots at the target's thresholds,
    kept per column where they predict held-out training rows better (`knots`), closed most of the remaining
    gap on credit_risk_dataset (0.920 to 0.940) and left Taiwan default as it was. Batches of 1,024 at a
    learning rate of 0.01 converge in about 25 epochs; on a table of 1,000 rows the same encodings overfit
    (German credit: 0.777 against 0.790 with plain scaling), so small tables keep plain scaling and batches
    of 64 at 0.001. A cosine decay of the learning rate lifted credit_risk_dataset from 0.940 to 0.944 and left
    Taiwan default at 0.779; on German credit (0.791) and the rating file (0.906 against 0.909 within one
    notch) it did not help, so small tables keep a constant rate. Small tables scale per column: standard, but
    quantile for extreme tails (the rating file's ratios reach millions of IQRs from their median, and
    within-one-notch fell from 0.899 to 0.655 without it).
    Small tables with a 0/1 target also read each column's weight of evidence in the scorecard's bins (`woe`):
    on German credit's development folds the blend rose from 0.7999 to 0.8057, past the scorecard's 0.8046, and on
    its held-out slice from 0.7664 to 0.7771 (3 seeds); on the large tables it changed nothing (Taiwan default
    -0.0010, credit_risk_dataset +0.0008), so they keep their inputs (bench/quality.md).
    Sequence windows keep the small-table optimiser settings.
    """
    if sequence:
        plain = PreprocessConfig(scaler="auto", code_levels=0, piecewise_knots=0, target_knots=0)
        return FitDefaults(batch_size=64, learning_rate=1e-3, preprocessing=plain)
    ensemble = dict(members=5, blend=("dcn",)) if train_rows <= HUGE_TABLE_ROWS else {}
    if train_rows < LARGE_TABLE_ROWS:
        plain = PreprocessConfig(scaler="auto", code_levels=0, piecewise_knots=0, target_knots=0, woe_inputs=True)
        return FitDefaults(batch_size=64, learning_rate=1e-3, preprocessing=plain, **ensemble)
    return FitDefaults(batch_size=1024, learning_rate=1e-2, preprocessing=PreprocessConfig(), lr_schedule="cosine",
                       **ensemble)


def auto_blend(arch: str, blend: tuple[str, ...]) -> tuple[str, ...]:
    """The default blend for `arch`: the default network (DEFAULT_ARCH, the dense one) is blended with `blend`
    (fit_defaults' choice, the cross network); a network chosen by itself is trained alone (its cross-fitted
    members), unless TrainConfig.blend names others. Before, the cross network took the dense one as its partner,
    so choosing it trained the same blend as the default under another name."""
    return tuple(a for a in blend if a != arch) if arch == DEFAULT_ARCH else ()


def _check_arch_for_task(arch: str, task) -> None:
    spec = get_architecture(arch)
    if task.kind == ANOMALY and arch != "vae":
        raise ConfigError(f"Anomaly detection learns without labels and uses the 'vae' network; '{arch}' needs a "
                          "target. Choose 'vae', or a classification task if the file has a label.")
    if arch == "vae" and task.kind != ANOMALY:
        raise ConfigError(f"The 'vae' network reconstructs rows to flag unusual ones; it does not predict a target. "
                          f"Use it with the anomaly task, or choose 'mlp' or 'cnn' for {task.label.lower()}.")
    if not spec.supports("sequence" if task.kind == FORECAST else "tabular"):
        raise ConfigError(
            f"'{arch}' reads a sequence of time steps, but the {task.label.lower()} task gives one table row per "
            "prediction and a row's columns have no time order, so there is no sequence to read. Choose 'mlp' or "
            "'cnn' (which convolves over the feature axis), or a forecast task on a price file."
        )

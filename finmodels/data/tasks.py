"""Registry of task presets: what is predicted, with which loss, output layer and headline metric."""

from __future__ import annotations

from dataclasses import dataclass

from finmodels.errors import ConfigError
from finmodels.data.targets import RATING_SCALE

# the loss of ordered classes: cross-entropy against soft labels around the true class (finmodels.models.losses)
SOFT_ORDINAL = "soft_ordinal_crossentropy"

BINARY, MULTICLASS, ORDINAL, REGRESSION, FORECAST, ANOMALY = (
    "binary", "multiclass", "ordinal", "regression", "forecast", "anomaly",
)


@dataclass(frozen=True)
class TaskPreset:
    key: str
    label: str
    kind: str
    loss: str
    output_activation: str
    headline_metric: str
    target_names: tuple[str, ...]
    description: str
    architectures: tuple[str, ...]
    # Ordered class labels for ordinal tasks (best first); empty when the classes come from the data.
    classes: tuple[str, ...] = ()
    # (low, high) a regression target must lie in, for a bounded output (a sigmoid gives shares in [0, 1]); the
    # target is then fitted as it is, not standardised, and a value outside is refused naming its rows.
    bounds: tuple[float, float] | None = None

    @property
    def needs_target(self) -> bool:
        """False for tasks that learn from the rows themselves (sequences of prices, unlabelled anomalies)."""
        return self.kind not in (FORECAST, ANOMALY)

    @property
    def default_architecture(self) -> str:
        return self.architectures[0]


_TABULAR = ("mlp", "dcn", "cnn")
_SEQUENCE = ("lstm", "gru", "cnn", "mlp")

TASKS: dict[str, TaskPreset] = {
    t.key: t
    for t in (
        TaskPreset(
            "credit_default", "Credit default", BINARY, "binary_crossentropy", "sigmoid", "roc_auc",
            ("default", "creditability", "default_payment_next_month", "loan_status", "bad", "target", "y"),
            "Probability that a borrower defaults, from application or account data.", _TABULAR,
        ),
        TaskPreset(
            "loan_repayment", "Loan repayment capacity", BINARY, "binary_crossentropy", "sigmoid", "roc_auc",
            ("repaid", "repayment", "fully_paid", "loan_status", "paid"),
            "Probability that a loan is repaid in full, from the borrower's income, debt and history.", _TABULAR,
        ),
        TaskPreset(
            "delinquency", "Delinquency", BINARY, "binary_crossentropy", "sigmoid", "roc_auc",
            ("delinquent", "delinquency", "dpd30", "dpd", "late", "past_due"),
            "Probability that an account falls past due, from its payment history.", _TABULAR,
        ),
        TaskPreset(
            "credit_rating", "Credit rating", ORDINAL, SOFT_ORDINAL, "softmax", "within_one_notch",
            ("rating", "grade", "credit_rating", "loan_grade"),
            "Agency-style rating on the ordered scale AAA..D, scored by exact and within-one-notch accuracy.", _TABULAR,
            RATING_SCALE,
        ),
        TaskPreset(
            "market_risk", "Market risk (returns)", FORECAST, "mse", "linear", "rmse",
            ("return", "returns", "ret"),
            "Next-day return and its volatility from a price history, with a VaR backtest.", _SEQUENCE,
        ),
        TaskPreset(
            "asset_allocation", "Asset allocation (expected returns)", FORECAST, "mse", "linear", "rmse",
            ("expected_return",),
            "Expected next-period return per asset from a multi-asset price file, to rank assets.", _SEQUENCE,
        ),
        TaskPreset(
            "risk_control", "Risk control (losses)", REGRESSION, "mse", "linear", "rmse",
            ("loss", "losses", "loss_amount"),
            "Size of the loss on an exposure, as a regression on its attributes.", _TABULAR,
        ),
        TaskPreset(
            "loss_given_default", "Loss given default (LGD)", REGRESSION, "binary_crossentropy", "sigmoid", "rmse",
            ("lgd", "loss_given_default", "loss_rate", "lgd_rate"),
            "Share of the exposure lost when a borrower defaults, in [0, 1] (a sigmoid output fitted with cross-"
            "entropy); evaluated by predicted against realised loss in bins, and the exposure-weighted expected loss "
            "(PD x LGD x EAD) when the file has exposure and PD columns.", _TABULAR, bounds=(0.0, 1.0),
        ),
        TaskPreset(
            "binary", "Binary classification", BINARY, "binary_crossentropy", "sigmoid", "roc_auc",
            ("target", "label", "class", "y"), "Any yes/no outcome.", _TABULAR,
        ),
        TaskPreset(
            "multiclass", "Multi-class classification", MULTICLASS, "sparse_categorical_crossentropy", "softmax",
            "macro_f1", ("class", "label", "category"), "Any outcome with several unordered classes.", _TABULAR,
        ),
        TaskPreset(
            "regression", "Regression", REGRESSION, "mse", "linear", "rmse",
            ("target", "outcome", "y"), "Any numeric outcome.", _TABULAR,
        ),
        TaskPreset(
            "forecast", "Sequence forecasting", FORECAST, "mse", "linear", "rmse",
            ("close", "adj close", "price"),
            "Next-step return or volatility from sliding windows of a price history.", _SEQUENCE,
        ),
        TaskPreset(
            "anomaly", "Anomaly detection", ANOMALY, "elbo", "linear", "roc_auc",
            (), "Unusual rows without a label, scored by a variational autoencoder's reconstruction error.", ("vae",),
        ),
    )
}

# Tasks whose target is a loss (a rate or an amount): evaluated by predicted against realised loss in bins
LOSS_TASKS = ("loss_given_default", "risk_control")


def get_task(key: str) -> TaskPreset:
    """Return the task preset for `key`; an unknown key lists the available ones."""
    try:
        return TASKS[key]
    except KeyError:
        raise ConfigError(f"Unknown task '{key}'. Available tasks: {', '.join(TASKS)}.") from None

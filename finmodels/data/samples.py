"""Registry of the sample files shipped in `assets/samples/`, so the app and tests load them by name."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from finmodels.errors import ConfigError

SAMPLES_DIR = Path(__file__).resolve().parents[2] / "assets" / "samples"


@dataclass(frozen=True)
class Sample:
    key: str
    label: str
    filename: str
    target: str | None
    description: str

    @property
    def path(self) -> Path:
        return SAMPLES_DIR / self.filename


SAMPLES: dict[str, Sample] = {
    s.key: s
    for s in (
        Sample(
            "german_credit",
            "German credit (1,000 loans)",
            "german_credit.csv",
            "creditability",
            "UCI Statlog German Credit: 20 applicant attributes, good/bad outcome, 30% bad.",
        ),
        Sample(
            "taiwan_default",
            "Taiwan card default (30,000 card holders)",
            "taiwan_default.csv",
            "default_payment_next_month",
            "UCI default of credit card clients, Taiwan 2005: limits, bills and payments, 22% default.",
        ),
        Sample(
            "sp500_index",
            "S&P 500 index, daily 2001-2018",
            "sp500_index_2001_2018.csv",
            None,
            "Daily open/high/low/close and volume of the S&P 500 index, for return and volatility tasks.",
        ),
        Sample(
            "sp500_10stocks",
            "10 S&P 500 stocks, daily 2013-2018",
            "sp500_10stocks_2013_2018.csv",
            None,
            "Daily prices of 10 large US stocks in long format (date, prices, ticker), for portfolio tasks.",
        ),
    )
}


def get_sample(key: str) -> Sample:
    """Return the sample registered under `key`; an unknown key names the ones that exist."""
    try:
        return SAMPLES[key]
    except KeyError:
        raise ConfigError(f"Unknown sample '{key}'. Available samples: {', '.join(SAMPLES)}.") from None


def sample_bytes(key: str) -> bytes:
    """The raw bytes of a sample file, exactly as a user would upload them."""
    return get_sample(key).path.read_bytes()


def load_sample(key: str) -> pd.DataFrame:
    """Read a sample through the same loader as an uploaded file."""
    from finmodels.data.reading import load_csv

    return load_csv(sample_bytes(key))

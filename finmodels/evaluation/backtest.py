"""Backtesting a Value-at-Risk forecast: exceptions, Kupiec's proportion-of-failures test, Christoffersen's
independence test, Basel zone.

VaR is given as a positive loss at confidence `level` (0.99 means a 1% chance of a larger loss); a day is an
exception when its return is below -VaR. The Basel traffic light (BCBS 1996, "Supervisory framework for the use
of backtesting") puts the number of exceptions in the green zone while its cumulative binomial probability is
below 95%, yellow below 99.99%, red beyond; over 250 days at 99% that is 0-4 green, 5-9 yellow, 10+ red.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from finmodels.errors import DataError

GREEN_LIMIT, YELLOW_LIMIT = 0.95, 0.9999
BASEL_DAYS = 250


@dataclass(frozen=True)
class VaRBacktest:
    """Outcome of comparing realised returns with the VaR forecast for the same days."""

    level: float
    days: int
    exceptions: int
    expected: float
    kupiec_lr: float
    kupiec_p_value: float
    zone: str
    exception_days: np.ndarray  # positions of the exception days
    last_250_exceptions: int | None = None  # the supervisory window: the most recent 250 days, when there are as many
    last_250_zone: str | None = None
    christoffersen_lr: float | None = None  # independence of exceptions (None with fewer than 2 days)
    christoffersen_p_value: float | None = None

    def metrics(self) -> dict[str, float]:
        """The backtest's figures in a run's metrics: exceptions and the Kupiec p-value."""
        return {"var_exceptions": float(self.exceptions), "kupiec_p_value": self.kupiec_p_value}

    @property
    def exception_rate(self) -> float:
        return self.exceptions / self.days

    def recent(self) -> tuple[int, int, str]:
        """(days, exceptions, Basel zone) of the supervisory window: the last 250 days, or every day of a shorter
        test (248 test days are zoned on their own 248, the whole test's zone), so a window is always there."""
        if self.last_250_zone is not None:
            return BASEL_DAYS, int(self.last_250_exceptions), self.last_250_zone
        return self.days, self.exceptions, self.zone

    def summary(self) -> dict[str, float | int | str]:
        """Plain values for a table or JSON."""
        return {"level": self.level, "days": self.days, "exceptions": self.exceptions,
                "expected_exceptions": round(self.expected, 3), "exception_rate": self.exception_rate,
                "kupiec_lr": self.kupiec_lr, "kupiec_p_value": self.kupiec_p_value,
                "christoffersen_lr": self.christoffersen_lr, "christoffersen_p_value": self.christoffersen_p_value,
                "zone": self.zone,
                "last_250_exceptions": self.last_250_exceptions, "last_250_zone": self.last_250_zone}


def _check_level(level: float) -> None:
    if not 0.5 < level < 1:
        raise DataError(f"VaR confidence level must be between 0.5 and 1 (e.g. 0.99); got {level}.")


def kupiec_pof(exceptions: int, days: int, level: float) -> tuple[float, float]:
    """Kupiec's likelihood-ratio test that the exception rate equals 1 - level: (LR statistic, p-value).

    LR = -2 ln[(1-p)^(n-x) p^x] + 2 ln[(1-x/n)^(n-x) (x/n)^x], chi-squared with 1 degree of freedom.
    """
    from scipy.stats import chi2

    _check_level(level)
    if days < 1 or not 0 <= exceptions <= days:
        raise DataError(f"Exceptions must be between 0 and the number of days; got {exceptions} of {days}.")
    p, x, n = 1 - level, exceptions, days

    def loglik(rate: float) -> float:
        # 0 * log(0) is 0: a rate of 0 or 1 contributes nothing for the outcome that never happens
        return (n - x) * (math.log1p(-rate) if n > x else 0.0) + (x * math.log(rate) if x else 0.0)

    lr = max(-2 * (loglik(p) - loglik(x / n)), 0.0)
    return float(lr), float(chi2.sf(lr, df=1))


def christoffersen_independence(hits) -> tuple[float, float]:
    """Christoffersen's (1998) test that an exception today is no likelier after an exception yesterday:
    (LR statistic, p-value), chi-squared with 1 degree of freedom.

    `hits` is the day-by-day 0/1 exception sequence, in date order. From the transition counts n_ij (state i
    yesterday, j today): LR = -2 ln[(1-pi)^(n00+n10) pi^(n01+n11)] + 2 ln[(1-pi01)^n00 pi01^n01 (1-pi11)^n10 pi11^n11].
    """
    from scipy.stats import chi2

    h = np.asarray(hits, dtype=bool).ravel()
    if len(h) < 2:
        raise DataError(f"The independence test needs at least 2 days of exceptions; got {len(h)}.")
    prev, now = h[:-1], h[1:]
    n00, n01 = int(np.sum(~prev & ~now)), int(np.sum(~prev & now))
    n10, n11 = int(np.sum(prev & ~now)), int(np.sum(prev & now))

    def ll(count_no: int, count_yes: int, rate: float) -> float:
        return (count_no * math.log1p(-rate) if count_no else 0.0) + (count_yes * math.log(rate) if count_yes else 0.0)

    pi = (n01 + n11) / (n00 + n01 + n10 + n11)
    pi01 = n01 / (n00 + n01) if n00 + n01 else 0.0
    pi11 = n11 / (n10 + n11) if n10 + n11 else 0.0
    lr = max(-2 * (ll(n00 + n10, n01 + n11, pi) - ll(n00, n01, pi01) - ll(n10, n11, pi11)), 0.0)
    return float(lr), float(chi2.sf(lr, df=1))


def traffic_light_zone(exceptions: int, days: int, level: float = 0.99) -> str:
    """'green', 'yellow' or 'red' from the cumulative binomial probability of this many exceptions."""
    from scipy.stats import binom

    _check_level(level)
    cumulative = float(binom.cdf(exceptions, days, 1 - level))
    # rounded as in the Basel table, where 4 of 250 is 89.22% and 9 of 250 is 99.97%
    cumulative = round(cumulative, 6)
    if cumulative < GREEN_LIMIT:
        return "green"
    return "yellow" if cumulative < YELLOW_LIMIT else "red"


def var_backtest(returns, var, *, level: float = 0.99) -> VaRBacktest:
    """Count the days a return fell below -VaR, test the count (Kupiec) and its clustering (Christoffersen), and
    zone it (Basel). The days must be distinct dates in order: pooled stock-days of many tickers are not a backtest
    (`finmodels.portfolio` backtests a portfolio's VaR)."""
    r = np.asarray(returns, dtype="float64").ravel()
    v = np.asarray(var, dtype="float64").ravel()
    if len(r) != len(v) or len(r) == 0:
        raise DataError(f"Returns and VaR must be the same non-zero length; got {len(r)} returns, {len(v)} VaR values.")
    if not (np.isfinite(r).all() and np.isfinite(v).all()):
        raise DataError("Returns and VaR must be finite numbers; drop the days with missing prices first.")
    hits = np.flatnonzero(r < -v)
    lr, p_value = kupiec_pof(len(hits), len(r), level)
    ind_lr, ind_p = christoffersen_independence(r < -v) if len(r) >= 2 else (None, None)
    recent = int(np.sum(hits >= len(r) - BASEL_DAYS)) if len(r) >= BASEL_DAYS else None
    return VaRBacktest(level=level, days=len(r), exceptions=len(hits), expected=len(r) * (1 - level), kupiec_lr=lr,
                       kupiec_p_value=p_value, zone=traffic_light_zone(len(hits), len(r), level), exception_days=hits,
                       last_250_exceptions=recent,
                       last_250_zone=None if recent is None else traffic_light_zone(recent, BASEL_DAYS, level),
                       christoffersen_lr=ind_lr, christoffersen_p_value=ind_p)

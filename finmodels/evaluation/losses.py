"""What a loss model needs: expected loss (PD x LGD x EAD) and the calibration of predicted against realised loss.

`find_loss_columns` finds a file's probability of default, loss given default and exposure at default columns
by their usual names; `expected_loss` multiplies them row by row and sums them, exposure-weighted;
`loss_calibration` bins rows by predicted loss and compares the mean predicted with the mean realised loss
in each bin (a calibrated model lies on the diagonal), with the exposure-weighted totals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from finmodels.errors import DataError

PD_NAMES = ("pd", "prob_default", "probability_of_default", "default_probability")
LGD_NAMES = ("lgd", "loss_given_default")
EAD_NAMES = ("ead", "exposure", "exposure_at_default", "balance", "outstanding")


@dataclass(frozen=True)
class LossColumns:
    pd: str | None
    lgd: str | None
    ead: str | None

    @property
    def complete(self) -> bool:
        return None not in (self.pd, self.lgd, self.ead)


def find_loss_columns(columns) -> LossColumns:
    """The PD, LGD and EAD columns by their usual names (case-insensitive); None for any not found."""
    norm = {str(c).strip().lower(): c for c in columns}
    pick = lambda names: next((norm[n] for n in names if n in norm), None)  # noqa: E731
    return LossColumns(pick(PD_NAMES), pick(LGD_NAMES), pick(EAD_NAMES))


def _shown(value) -> str:
    return f"{float(value):g}" if isinstance(value, (int, float, np.number)) else repr(str(value))


def _numbers(frame: pd.DataFrame, column: str, *, low: float | None, high: float | None) -> np.ndarray:
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = values.isna() | ((values < low) if low is not None else False) | ((values > high) if high is not None else False)
    bad = np.flatnonzero(np.asarray(bad))
    if len(bad):
        rule = f"between {low:g} and {high:g}" if high is not None else f"at least {low:g}"
        raise DataError(f"Column '{column}' has {len(bad)} values that are missing or not {rule} (rows "
                        f"{', '.join(str(i + 2) for i in bad[:5])}, e.g. {_shown(frame[column].iloc[bad[0]])}). Fix them.")
    return values.to_numpy("float64")


def expected_loss(frame: pd.DataFrame, columns: LossColumns | None = None) -> pd.Series:
    """PD x LGD x EAD per row. PD and LGD must be shares in [0, 1] (a percent column is refused, naming it);
    EAD an amount of at least 0. Raises DataError naming the columns that are missing."""
    cols = columns or find_loss_columns(frame.columns)
    if not cols.complete:
        absent = [n for n, c in (("probability of default (PD)", cols.pd), ("loss given default (LGD)", cols.lgd),
                                 ("exposure at default (EAD)", cols.ead)) if c is None]
        raise DataError(f"Expected loss needs {', '.join(absent)}; no column has a usual name for "
                        f"{'it' if len(absent) == 1 else 'them'} ({', '.join(PD_NAMES + LGD_NAMES + EAD_NAMES)}). "
                        f"Columns are: {', '.join(map(str, frame.columns))}.")
    pd_ = _numbers(frame, cols.pd, low=0.0, high=1.0)
    lgd = _numbers(frame, cols.lgd, low=0.0, high=1.0)
    ead = _numbers(frame, cols.ead, low=0.0, high=None)
    return pd.Series(pd_ * lgd * ead, index=frame.index, name="expected_loss")


def expected_loss_summary(frame: pd.DataFrame, columns: LossColumns | None = None) -> dict[str, float]:
    """Total exposure, total expected loss, and expected loss as a share of exposure (the exposure-weighted
    PD x LGD)."""
    cols = columns or find_loss_columns(frame.columns)
    el = expected_loss(frame, cols)
    exposure = float(pd.to_numeric(frame[cols.ead]).sum())
    return {"exposure": exposure, "expected_loss": float(el.sum()),
            "loss_rate": float(el.sum() / exposure) if exposure else float("nan"), "rows": int(len(el))}


def loss_calibration(predicted, realised, *, exposure=None, bins: int = 10) -> pd.DataFrame:
    """Rows binned by predicted loss (quantiles, at most `bins`): per bin the rows, the mean predicted and the mean
    realised loss (exposure-weighted when `exposure` is given), and their difference.

    Works for a loss rate (LGD in [0, 1]) or a loss amount. A calibrated model has realised close to predicted in
    every bin.
    """
    p = np.asarray(predicted, dtype="float64")
    r = np.asarray(realised, dtype="float64")
    w = np.ones_like(p) if exposure is None else np.asarray(exposure, dtype="float64")
    if not len(p) == len(r) == len(w) or not len(p):
        raise DataError(f"Predicted, realised and exposure must be the same non-zero length; got {len(p)}, {len(r)} "
                        f"and {len(w)}.")
    if not (np.isfinite(p).all() and np.isfinite(r).all() and np.isfinite(w).all()):
        raise DataError("Predicted and realised losses must be numbers; drop the rows without an outcome first.")
    edges = np.unique(np.quantile(p, np.linspace(0, 1, bins + 1)))
    which = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, max(len(edges) - 2, 0))
    rows = []
    for b in np.unique(which):
        m = which == b
        weight = w[m].sum()
        mean_p = float(np.sum(p[m] * w[m]) / weight) if weight else float(np.mean(p[m]))
        mean_r = float(np.sum(r[m] * w[m]) / weight) if weight else float(np.mean(r[m]))
        rows.append({"bin": int(b) + 1, "rows": int(m.sum()), "low": float(p[m].min()), "high": float(p[m].max()),
                     "predicted": mean_p, "realised": mean_r, "difference": mean_r - mean_p,
                     "exposure": float(weight) if exposure is not None else None})
    return pd.DataFrame(rows)

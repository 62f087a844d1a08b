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


PREDICTS = ("lgd", "loss", "pd")  # what a loss evaluation's model predicts: an LGD, a loss amount, a PD


@dataclass(frozen=True)
class LossEvaluation:
    """A loss model on its test rows: predicted against realised loss in bins, and the totals.

    `predicts` what the model predicts: an LGD ('lgd': each row's loss is LGD x EAD, x PD when the file has one: an
    expected loss), a loss amount ('loss': the amount, x PD), or a default probability ('pd', a credit default model
    on a file with LGD and EAD columns: PD x LGD x EAD, realised as default x LGD x EAD). Bins are weighted by the
    exposure when there is one. `exposure`, `pd` and `lgd` name the file's columns used (None when not: without an
    exposure the totals are sums of shares); `notes` say what was left out and why.
    """

    calibration: pd.DataFrame
    predicts: str
    exposure: str | None
    pd: str | None
    predicted_total: float
    realised_total: float
    exposure_total: float | None
    rows: int
    notes: tuple[str, ...] = ()
    lgd: str | None = None

    @property
    def rate(self) -> bool:
        """True when the model predicts a share (an LGD or a PD), not an amount."""
        return self.predicts != "loss"

    @property
    def loss_ratio(self) -> float:
        """Total predicted over total realised loss (1 when the book's loss is right in total)."""
        return self.predicted_total / self.realised_total if self.realised_total else float("nan")

    @property
    def calibration_error(self) -> float:
        """Mean absolute difference between realised and predicted loss over the bins, weighted by their rows (or
        exposure)."""
        t = self.calibration
        weight = t["exposure"].astype(float) if self.exposure is not None else t["rows"].astype(float)
        return float(np.sum(np.abs(t["difference"]) * weight) / weight.sum()) if weight.sum() else float("nan")

    def metrics(self) -> dict[str, float]:
        return {"loss_ratio": self.loss_ratio, "loss_calibration_error": self.calibration_error}

    def to_details(self) -> dict:
        """Flat arrays and scalars a run keeps (`TrainingResult.details`), read back by `from_details`."""
        # every value an array (the workspace keeps arrays in evaluation.npz), names as one-element text arrays
        out = {f"losses.{c}": self.calibration[c].to_numpy("float64") for c in _BIN_COLUMNS}
        out.update({"losses.columns": np.asarray([self.exposure or "", self.pd or "", self.lgd or ""], dtype=str),
                    "losses.totals": np.asarray([self.predicted_total, self.realised_total, self.rows,
                                                 PREDICTS.index(self.predicts),
                                                 np.nan if self.exposure_total is None else self.exposure_total]),
                    "losses.notes": np.asarray(self.notes or ("",), dtype=str)})
        return out

    @classmethod
    def from_details(cls, details: dict) -> "LossEvaluation | None":
        if "losses.predicted" not in details:
            return None
        table = pd.DataFrame({c: np.asarray(details[f"losses.{c}"], dtype="float64") for c in _BIN_COLUMNS})
        table[["bin", "rows"]] = table[["bin", "rows"]].astype(int)
        exposure, pd_, lgd = (str(c) or None for c in np.asarray(details["losses.columns"]).ravel())
        predicted, realised, rows, predicts, exposure_total = np.asarray(details["losses.totals"], dtype="float64")
        notes = tuple(n for n in map(str, np.asarray(details["losses.notes"]).ravel()) if n)
        return cls(table, PREDICTS[int(predicts)], exposure, pd_, float(predicted), float(realised),
                   None if np.isnan(exposure_total) else float(exposure_total), int(rows), notes, lgd)

    def to_json(self) -> dict:
        """The train JSON's `losses`: the totals, their ratio, the calibration error and the bins."""
        return {"predicts": self.predicts, "rate": self.rate, "exposure_column": self.exposure, "pd_column": self.pd,
                "lgd_column": self.lgd, "rows": self.rows,
                "exposure": self.exposure_total, "predicted_loss": self.predicted_total,
                "realised_loss": self.realised_total, "loss_ratio": self.loss_ratio,
                "calibration_error": self.calibration_error, "notes": list(self.notes),
                "calibration": self.calibration.to_dict(orient="records")}


_BIN_COLUMNS = ("bin", "rows", "low", "high", "predicted", "realised", "difference", "exposure")


def _optional(frame: pd.DataFrame, column: str | None, *, high: float | None, notes: list[str]):
    """The column's numbers, or None (with a note saying why) when it is absent or has bad values."""
    if column is None:
        return None
    try:
        return _numbers(frame, column, low=0.0, high=high)
    except DataError as exc:
        problem = str(exc).removesuffix(" Fix them.").removesuffix(".")
        notes.append(f"{problem}; the column was left out of the expected loss.")
        return None


def evaluate_losses(test_rows: pd.DataFrame, realised, predicted, *, target: str, predicts: str,
                    bins: int = 10) -> LossEvaluation:
    """Predicted against realised loss on the test rows (`test_rows` in the file's units, in the order of the two
    arrays), with the file's EAD, PD and LGD columns (found by their usual names) when it has them.

    `predicts` 'lgd' (a share of the exposure, times the EAD for the loss in money, and a PD column makes it an
    expected loss), 'loss' (the loss itself, times a PD) or 'pd' (a default probability against the 0/1 outcome,
    times the file's LGD and EAD). The EAD weights the calibration bins of a share.
    """
    if predicts not in PREDICTS:
        raise ValueError(f"predicts must be one of {', '.join(PREDICTS)}; got {predicts!r}.")
    cols = find_loss_columns([c for c in test_rows.columns if c != target])
    notes: list[str] = []
    ead = _optional(test_rows, cols.ead, high=None, notes=notes) if predicts != "loss" else None
    other = cols.lgd if predicts == "pd" else cols.pd  # the factor of PD x LGD x EAD the model does not predict
    factor = _optional(test_rows, other, high=1.0, notes=notes)
    p, r = np.asarray(predicted, dtype="float64").ravel(), np.asarray(realised, dtype="float64").ravel()
    table = loss_calibration(p, r, exposure=ead, bins=bins)
    scale = (np.ones_like(p) if ead is None else ead) * (1.0 if factor is None else factor)
    if table["exposure"].isna().all():
        table["exposure"] = np.nan
    used = other if factor is not None else None
    return LossEvaluation(table, predicts, cols.ead if ead is not None else None, used if predicts != "pd" else None,
                          float(np.sum(p * scale)), float(np.sum(r * scale)),
                          None if ead is None else float(ead.sum()), int(len(p)), tuple(notes),
                          used if predicts == "pd" else None)


def losses_of(result) -> LossEvaluation | None:
    """A loss model run's evaluation (calibration bins and expected loss totals), or None for other runs. Works on
    a fresh run and on one read back from the workspace."""
    return LossEvaluation.from_details(result.details or {})

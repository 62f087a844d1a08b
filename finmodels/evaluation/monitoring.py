"""Population stability: how far a new file's score and features have moved from the training data.

The population stability index (PSI) compares the share of rows in each bin of the training data with the
share of new rows in the same bins: PSI = sum((new - train) * ln(new / train)). The usual reading in credit
risk: below 0.1 stable, 0.1 to 0.25 a moderate shift worth watching, 0.25 or more a major shift (the model
should be checked or retrained before its scores are trusted).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

MODERATE, MAJOR = 0.1, 0.25
_FLOOR = 1e-4  # share given to an empty bin, so one empty bin does not make the index infinite
MISSING = "(missing)"
SCORE = "score"


@dataclass(frozen=True)
class Band:
    label: str
    color: str
    advice: str


BANDS = (
    Band("stable", "#27ae60", "No action."),
    Band("moderate shift", "#e67e22", "Watch it; check what changed in the population."),
    Band("major shift", "#c0392b", "Check the model on recent outcomes, or retrain, before trusting its scores."),
)


def band(value: float) -> Band:
    """The stability band of a PSI value (0.1 / 0.25 boundaries)."""
    return BANDS[0] if value < MODERATE else BANDS[1] if value < MAJOR else BANDS[2]


def psi_table(expected: pd.Series, actual: pd.Series, *, bins: int = 10) -> pd.DataFrame:
    """Bin by bin: the training share, the new share and each bin's contribution to the PSI.

    Numeric columns are cut at the training data's deciles (`bins` quantiles); other columns use their
    levels. Missing values form their own bin in both cases.
    """
    expected, actual = pd.Series(expected), pd.Series(actual)
    numeric = pd.api.types.is_numeric_dtype(expected) and not pd.api.types.is_bool_dtype(expected)
    if numeric:
        actual = pd.to_numeric(actual, errors="coerce")
        finite = expected[np.isfinite(expected.astype("float64"))]
        edges = np.unique(np.quantile(finite, np.linspace(0, 1, bins + 1))) if len(finite) else np.array([0.0])
        inner = edges[1:-1]
        def labels(s: pd.Series) -> pd.Series:
            values = s.astype("float64")
            idx = np.searchsorted(inner, values.to_numpy(), side="right")
            names = np.array(_interval_names(edges), dtype=object)
            out = pd.Series(names[idx], index=s.index, dtype=object)
            out[values.isna()] = MISSING
            return out
        order = _interval_names(edges) + [MISSING]
        e_lab, a_lab = labels(expected), labels(actual)
    else:
        e_lab = expected.astype(object).where(expected.notna(), MISSING).astype(str)
        a_lab = actual.astype(object).where(actual.notna(), MISSING).astype(str)
        order = list(dict.fromkeys([*e_lab.value_counts().index, *a_lab.value_counts().index]))
    e_share = e_lab.value_counts(normalize=True).reindex(order, fill_value=0.0)
    a_share = a_lab.value_counts(normalize=True).reindex(order, fill_value=0.0)
    keep = (e_share > 0) | (a_share > 0)
    e_share, a_share = e_share[keep], a_share[keep]
    e, a = np.maximum(e_share.to_numpy(), _FLOOR), np.maximum(a_share.to_numpy(), _FLOOR)
    return pd.DataFrame({"bin": e_share.index, "training share": e_share.to_numpy(), "new share": a_share.to_numpy(),
                         "psi": (a - e) * np.log(a / e)})


def _interval_names(edges: np.ndarray) -> list[str]:
    if len(edges) < 3:
        return [f"{edges[0]:.4g} to {edges[-1]:.4g}" if len(edges) else "all"]
    names = [f"< {edges[1]:.4g}"]
    names += [f"{lo:.4g} to {hi:.4g}" for lo, hi in zip(edges[1:-2], edges[2:-1])]
    names += [f">= {edges[-2]:.4g}"] if len(edges) > 2 else []
    return names


def psi(expected: pd.Series, actual: pd.Series, *, bins: int = 10) -> float:
    """The population stability index of `actual` against `expected` (0 means the same distribution)."""
    return float(psi_table(expected, actual, bins=bins)["psi"].sum())


def stability_report(training: pd.DataFrame, new: pd.DataFrame, *, columns: list[str],
                     training_scores=None, new_scores=None, bins: int = 10) -> pd.DataFrame:
    """One row per checked quantity (the score first, when given, then each column): PSI, band and advice.

    Sorted with the score first and the columns by PSI, largest first.
    """
    rows = []
    if training_scores is not None and new_scores is not None:
        value = psi(pd.Series(np.asarray(training_scores, dtype="float64")),
                    pd.Series(np.asarray(new_scores, dtype="float64")), bins=bins)
        rows.append({"name": SCORE, "psi": value})
    columns_psi = [{"name": c, "psi": psi(training[c], new[c], bins=bins)} for c in columns if c in new.columns]
    rows += sorted(columns_psi, key=lambda r: -r["psi"])
    for row in rows:
        b = band(row["psi"])
        row["band"], row["advice"] = b.label, b.advice
    return pd.DataFrame(rows, columns=["name", "psi", "band", "advice"])

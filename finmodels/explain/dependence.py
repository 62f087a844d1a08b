"""Partial dependence and individual conditional expectation (ICE): how the model's score moves when one column moves,
the other columns of each row held as they are.

For each of a sample of rows (the run's test rows), the column is set to each value of a grid in the data's own units
(numbers across the bulk of the training rows, every code of a coded column, every level of a text column) and the
row is scored again: one line per row (ICE), and their average (the partial dependence). A validator reads from it
whether the score moves the way the business expects (it should rise with the debt-to-income ratio), and where rows
disagree with the average (the column interacts with others). A column that is computed from two others (credit_risk's
loan_percent_income = loan_amnt / person_income) is recomputed when one of its inputs moves, as the what-if does
(`DerivedColumn.values`, the what-if's rule on whole columns).

A numeric column of a few whole-number codes (MAX_CODES: taiwan_default's PAY_0 -2 to 8, MARRIAGE, SEX) is scored at
each of its training codes and described per code, whether or not the run's preprocessing one-hot encodes it (a small
table's run reads it as a number). Each level or code keeps its training rows (`counts`; `thin` ones are too few to
rely on); the run's test rows outside the values tried are counted (`outside`); where the network also reads the
column's weight of evidence, its bins' edges are kept (`woe_edges`). `finmodels.explain.dependence_notes` says it all.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from finmodels.data.tasks import ANOMALY, BINARY, MULTICLASS, ORDINAL, REGRESSION
from finmodels.errors import ConfigError, DataError
from finmodels.explain.counterfactuals import FeatureRange, fmt_value, training_ranges
from finmodels.models.preprocessing import level_text

DEPENDENCE_KINDS = (BINARY, REGRESSION, ANOMALY, MULTICLASS, ORDINAL)
DEFAULT_ROWS = 200  # rows whose own line is drawn and averaged
DEFAULT_POINTS = 25  # grid values of a numeric column
MAX_LEVELS = 30  # levels of a text column tried, the most common first
FLAT = 0.02  # an average that moves less than this share of the rows' own spread of scores is called flat
AGAINST = 0.05  # a row's line that moves against the average's direction by more than this share of the average's
# own span is counted as disagreeing
# A numeric column of at most this many whole-number training values (PreprocessConfig's default code_levels: PAY_0's
# -2 to 8, MARRIAGE 0 to 3, SEX 1/2) is scored at each code and drawn per code, never as a line between codes: a
# small table's run reads such a column as a number (code_levels=0), yet -1 ('paid in full') is no amount.
MAX_CODES = 12
# A level or code held by fewer training rows than this, or than this share of them, is thin: its average rests on
# rows the network barely learned from (taiwan_default's EDUCATION 4, 5 and 6: 8, 13 and 6 of 3,200 training rows).
MIN_LEVEL_ROWS, MIN_LEVEL_SHARE = 30, 0.01


@dataclass(frozen=True)
class PartialDependence:
    """The scores of `rows` sampled rows with `column` set to each `grid` value: `lines` (rows x grid) and their
    `average`; `observed` the rows' own values of the column; `shape` says in words how the average moves."""

    column: str
    numeric: bool
    grid: tuple
    lines: np.ndarray
    average: np.ndarray
    observed: tuple
    rows: tuple[int, ...]  # positions of the sampled rows in the run's frame
    score_name: str
    percent: bool  # the score is a probability
    shape: str
    against: float  # share of rows whose own line moves against the average's direction (numeric columns)
    recomputed: tuple[str, ...]  # derived columns recomputed from the moved column
    seconds: float
    coded: bool = False  # a numeric column scored at each of its codes (MAX_CODES), drawn per code
    counts: tuple[int, ...] = ()  # the training rows holding each grid value (levels and codes)
    counted: int = 0  # the training rows counted
    estimated: bool = False  # a bundle's counts, estimated from the training rows it keeps (`_level_rows`)
    pool: str = "test rows"  # the rows sampled: a run's held-out test rows, else the rows of the file given
    # the pool's rows (the run's test rows) outside the grid: (below, above, lowest, highest, pool size)
    outside: tuple = ()
    # the edges of the scorecard's bins of the column, where the network also reads its weight of evidence (a
    # small table's run, PreprocessConfig.woe_inputs); None: no such input
    woe_edges: tuple[float, ...] | None = None

    @property
    def span(self) -> float:
        return float(np.max(self.average) - np.min(self.average))

    @property
    def by_level(self) -> bool:
        """Scored per level or code (bars or points), not along a line."""
        return self.coded or not self.numeric

    @property
    def thin(self) -> tuple:
        """The grid's levels or codes held by too few training rows (MIN_LEVEL_ROWS, MIN_LEVEL_SHARE)."""
        if not self.by_level or not self.counts:
            return ()
        least = max(MIN_LEVEL_ROWS, MIN_LEVEL_SHARE * self.counted)
        return tuple(v for v, n in zip(self.grid, self.counts) if n < least)

    @property
    def whiskers(self) -> float:
        """The typical spread of the rows' scores at one value: the median, across the grid, of their middle half."""
        q1, q3 = np.percentile(self.lines, 25, axis=0), np.percentile(self.lines, 75, axis=0)
        return float(np.median(q3 - q1))

    def to_dict(self) -> dict:
        return {"column": self.column, "numeric": self.numeric, "grid": [_plain(v) for v in self.grid],
                "average": [round(float(v), 6) for v in self.average], "rows": len(self.rows),
                "score": self.score_name, "shape": self.shape, "against": round(self.against, 4),
                "recomputed": list(self.recomputed), "seconds": round(self.seconds, 3), "coded": self.coded,
                "counts": list(self.counts), "thin": [_plain(v) for v in self.thin],
                "outside": [_plain(v) for v in self.outside], "woe_edges": self.woe_edges and list(self.woe_edges)}


def partial_dependence(source, column: str, *, frame: pd.DataFrame | None = None, rows: int = DEFAULT_ROWS,
                       points: int = DEFAULT_POINTS, seed: int = 0, target_class: str | None = None,
                       derived=None) -> PartialDependence:
    """The partial dependence of `source`'s score (a run with its network, or a loaded bundle) on `column`.

    Rows: `rows` sampled from the run's test rows (from `frame`'s rows when given). A multi-class or rating model's
    score is the probability of `target_class` (default: its most common training class). `derived` are
    `finmodels.data.derived.DerivedColumn`s recomputed when `column` is one of their inputs."""
    started = time.perf_counter()
    kind = getattr(source, "kind", BINARY)
    if kind not in DEPENDENCE_KINDS:
        raise ConfigError(f"Partial dependence needs one row per prediction; this is a {kind} model (windows of "
                          "prices). The per-lag view explains it.")
    pre = source.preprocessor
    if column not in pre.columns:
        raise DataError(f"Column '{column}' is not one of the model's inputs: {', '.join(map(str, pre.columns[:12]))}"
                        + (" ..." if len(pre.columns) > 12 else "") + ".")
    sample, positions, pool = _sample(source, frame, rows=rows, seed=seed)
    found = training_ranges(source)[column]
    trained = _training_values(source, column)
    found = _as_codes(found, trained, kept=getattr(source, "split", None) is None)
    numeric = bool(found.numeric)
    grid = value_grid(found, sample[column], points=points)
    if len(grid) < 2:
        raise DataError(f"Column '{column}' held one value in training ({fmt_value(grid[0]) if grid else 'none'}); "
                        "the model cannot show how its score moves with it.")
    block = pd.concat([sample] * len(grid), ignore_index=True)
    block[column] = np.repeat(np.asarray(grid, dtype=object), len(sample))
    if numeric:
        block[column] = pd.to_numeric(block[column])
    recomputed = _recompute(block, column, derived or ())
    scores = _scores(source, block, kind, target_class)
    lines = scores.reshape(len(grid), len(sample)).T
    average = lines.mean(axis=0)
    percent = kind in (BINARY, MULTICLASS, ORDINAL)
    counts, counted, estimated = _level_rows(source, found, grid, trained) if found.coded or not numeric \
        else ((), len(trained), False)
    if numeric and not found.coded:
        shape, against = describe_shape(grid, average, lines, percent=percent)
    elif found.coded:
        shape, against = _codes_shape(grid, average, counts, counted, percent=percent, about=estimated), 0.0
    else:
        shape, against = _levels_shape(grid, average, percent=percent), 0.0
    return PartialDependence(
        column=column, numeric=numeric, grid=tuple(grid), lines=lines, average=average,
        observed=tuple(sample[column].tolist()), rows=tuple(int(p) for p in positions),
        score_name=score_name(source, kind, target_class), percent=percent, shape=shape, against=against,
        recomputed=tuple(recomputed), seconds=time.perf_counter() - started, coded=found.coded, counts=counts,
        counted=counted, estimated=estimated, pool="test rows" if frame is None else "rows of the file",
        outside=_outside(grid, pool[column], numeric),
        woe_edges=_woe_edges(pre, column))


def _training_values(source, column: str) -> pd.Series:
    """The column's values in the training rows: a run's own; a bundle's kept training rows (`background`)."""
    frame = getattr(source, "frame", None)
    if frame is not None and hasattr(source, "split"):
        return frame[column].iloc[source.split.train].dropna()
    kept = getattr(source, "background", None)
    return kept[column].dropna() if kept is not None and column in kept.columns else pd.Series(dtype="float64")


def _as_codes(found: FeatureRange, trained: pd.Series, *, kept: bool = False) -> FeatureRange:
    """A numeric column of at most MAX_CODES whole-number training values as a coded one (its codes, in order),
    whether or not the run's preprocessing one-hot encodes it. `kept`: `trained` are the training rows a bundle
    keeps (200), which may miss a rare code: its codes are every whole number from all training rows' lowest to
    highest (PAY_0's -2 to 8; the kept rows lacked 3 and 8)."""
    if not found.numeric or found.coded or not found.integer or trained.empty:
        return found
    values = pd.to_numeric(trained, errors="coerce").dropna().to_numpy(dtype="float64")
    codes = np.unique(values)
    if kept and found.low is not None and found.high is not None and float(found.low).is_integer() \
            and float(found.high).is_integer() and found.high - found.low + 1 <= MAX_CODES:
        codes = np.arange(found.low, found.high + 1)
    if not 2 <= len(codes) <= MAX_CODES or not np.all(codes == np.round(codes)):
        return found
    return replace(found, codes=tuple(float(c) for c in codes),
                   shares=tuple(float(np.mean(values == c)) for c in codes))


def _level_rows(source, found: FeatureRange, grid, trained: pd.Series) -> tuple[tuple[int, ...], int, bool]:
    """(training rows per grid value, training rows, estimated?). A run counts its training rows. A bundle knows all
    its training rows' shares of a text column's top levels and of the codes its preprocessing encodes; else the
    shares in the training rows it keeps (200) are scaled to all of them, an estimate."""
    reference = getattr(source, "reference", None)
    if getattr(source, "split", None) is not None or reference is None or not reference.rows:
        return _counts(grid, trained, found.numeric), len(trained), False
    total = int(reference.rows)
    ref = reference.columns.get(found.column)
    if not found.numeric and ref is not None and ref.levels and set(map(str, grid)) <= set(map(str, ref.levels)):
        shares = dict(zip(map(str, ref.levels), ref.shares))
        return tuple(int(round(shares[str(v)] * total)) for v in grid), total, False
    if found.coded and ((getattr(source, "manifest", None) or {}).get("code_shares") or {}).get(found.column):
        return tuple(int(round(found.share(v) * total)) for v in grid), total, False
    kept = _counts(grid, trained, found.numeric)
    return tuple(int(round(n * total / max(len(trained), 1))) for n in kept), total, True


def _counts(grid, trained: pd.Series, numeric: bool) -> tuple[int, ...]:
    """The training rows holding each grid value ('2' and 2.0 are one level, as the model reads them)."""
    if numeric:
        values = pd.to_numeric(trained, errors="coerce").to_numpy(dtype="float64")
        return tuple(int(np.sum(values == float(v))) for v in grid)
    spelled = trained.map(level_text).value_counts()
    return tuple(int(spelled.get(level_text(v), 0)) for v in grid)


def _outside(grid, values: pd.Series, numeric: bool) -> tuple:
    """(below, above, lowest, highest, rows) of the pool's values outside a numeric grid; () for text levels."""
    if not numeric:
        return ()
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64")
    numbers = numbers[np.isfinite(numbers)]
    low, high = float(min(grid)), float(max(grid))
    below, above = numbers[numbers < low], numbers[numbers > high]
    return (len(below), len(above), float(below.min()) if len(below) else None,
            float(above.max()) if len(above) else None, len(numbers))


def _woe_edges(pre, column: str) -> tuple[float, ...] | None:
    """The scorecard's bin edges of `column` where the run's network also reads its weight of evidence (the `woe`
    block of its preprocessing: `finmodels.models.woe.WoeEncoder`); () for a text column's bins; None: no WoE."""
    fitted = getattr(getattr(pre, "transformer", None), "named_transformers_", {})
    if "woe" not in fitted:
        return None
    encoder = fitted["woe"][0]
    columns = list(getattr(encoder, "columns_", ()))
    if column not in columns:
        return None
    j = columns.index(column)
    return tuple(float(v) for v in encoder.splits_[j]) if encoder.numeric_[j] else ()


def value_grid(found: FeatureRange, values: pd.Series, *, points: int = DEFAULT_POINTS) -> list:
    """The values a column is set to: every code of a coded column; every whole number of a short integer range;
    else `points` values evenly across the bulk of the training rows (1st to 99th percentile), on the data's own
    precision; a text column's training levels (the most common in `values` first, at most MAX_LEVELS)."""
    if found.coded:
        return [float(c) for c in found.codes]
    if not found.numeric:
        counts = values.astype(str).value_counts()
        levels = list(found.levels) if found.levels else list(counts.index)
        ranked = sorted(levels, key=lambda v: -int(counts.get(str(v), 0)))[:MAX_LEVELS]
        return sorted(ranked, key=str)  # the most common, in order of their names (grades A to G)
    low, high = found.bulk or (found.low, found.high)
    if low is None or high is None or not high > low:
        return [] if low is None else [float(low)]
    if found.integer and high - low + 1 <= points:
        return [float(v) for v in np.arange(np.ceil(low), np.floor(high) + 1)]
    grid = np.linspace(float(low), float(high), points)
    step = found.precision
    if step:
        grid = np.round(grid / step) * step
    return [float(v) for v in dict.fromkeys(np.round(grid, 10))]


def describe_shape(grid, average: np.ndarray, lines: np.ndarray, *, percent: bool = False) -> tuple[str, float]:
    """How the average moves across a numeric grid, in words, and the share of rows whose own line moves against
    it: 'rises from 12.0% at 0.05 to 61.0% at 0.55'; 'is not monotone: it rises ... then falls ...'; 'is flat: ...'
    (a predicate: 'the default probability rises from ...'). `percent`: the
    score is a probability."""
    low_at, high_at = int(np.argmin(average)), int(np.argmax(average))
    span = float(average[high_at] - average[low_at])
    first, last = float(average[0]), float(average[-1])
    score = (lambda v: f"{float(v):.1%}") if percent else (lambda v: f"{float(v):.4g}")
    if span <= FLAT * float(np.ptp(lines)):
        return f"is flat: it moves by {score(span) if percent else f'{span:.4g}'} across the range", 0.0
    steps = np.diff(average)
    tol = AGAINST * span
    rising = last >= first
    direction = 1.0 if rising else -1.0
    at = lambda i: f"{score(average[i])} at {fmt_value(grid[i])}"  # noqa: E731
    n = len(grid)
    if np.all(direction * steps >= -tol):
        shape = f"{'rises' if rising else 'falls'} from {at(0)} to {at(n - 1)}"
        # a move that ends early (PAY_AMT2's staircase is flat from 19,841 to 79,365): say where it stops
        still = next(j for j in range(n) if np.ptp(average[j:]) <= tol)
        if 0 < still <= n - 1 - n // 4:
            shape += f", all of it by {fmt_value(grid[still])} (flat beyond)"
    elif 0 < high_at < n - 1 and average[high_at] - max(first, last) > tol:
        shape = f"is not monotone: it rises from {at(0)} to {at(high_at)}, then falls to {at(n - 1)}"
    elif 0 < low_at < n - 1 and min(first, last) - average[low_at] > tol:
        shape = f"is not monotone: it falls from {at(0)} to {at(low_at)}, then rises to {at(n - 1)}"
    else:
        back = float(np.max(-direction * steps))
        shape = (f"is not monotone: it {'rises' if rising else 'falls'} from {at(0)} to {at(n - 1)}, with steps "
                 f"back of up to {score(back) if percent else f'{back:.4g}'}")
    own = lines[:, -1] - lines[:, 0]
    against = float(np.mean(direction * own < -tol))
    return shape, against


def _levels_shape(levels, average: np.ndarray, *, percent: bool = False) -> str:
    order = np.argsort(-average)
    top, bottom = order[0], order[-1]
    score = (lambda v: f"{float(v):.1%}") if percent else (lambda v: f"{float(v):.4g}")
    said = (f"is highest at '{levels[top]}' ({score(average[top])}) and lowest at '{levels[bottom]}' "
            f"({score(average[bottom])})")
    if len(levels) < 3 or not all(len(str(v)) == 1 and str(v).isalpha() for v in levels):
        return said
    # letter grades (A to G) have an order a validator checks the score against
    steps, tol = np.diff(average), AGAINST * float(np.ptp(average))
    rising = average[-1] >= average[0]
    if np.all((1 if rising else -1) * steps >= -tol):
        return f"{said}, and {'rises' if rising else 'falls'} steadily from '{levels[0]}' to '{levels[-1]}'"
    return f"{said}, and is not monotone in the order '{levels[0]}' to '{levels[-1]}'"


def _codes_shape(codes, average: np.ndarray, counts, counted: int, *, percent: bool = False,
                 about: bool = False) -> str:
    """A coded column's average per code: where it is highest and lowest among the codes with enough training rows
    (all codes when fewer than two have), then each code's average, a thin code with its rows."""
    score = (lambda v: f"{float(v):.1%}") if percent else (lambda v: f"{float(v):.4g}")
    least = max(MIN_LEVEL_ROWS, MIN_LEVEL_SHARE * counted)
    held = [i for i, n in enumerate(counts) if n >= least] if counts else []
    ranked = held if len(held) >= 2 else list(range(len(codes)))
    top, bottom = max(ranked, key=lambda i: average[i]), min(ranked, key=lambda i: average[i])
    among = f" among the codes with at least {least:,.0f} training rows" if len(ranked) < len(codes) else ""
    each = ", ".join(f"{fmt_value(c)}: {score(a)}" + (f" ({'about ' if about else ''}{counts[i]:,} "
                                                       f"row{'s' if counts[i] != 1 else ''})"
                                                       if counts and i not in ranked else "")
                     for i, (c, a) in enumerate(zip(codes, average)))
    return (f"is highest at code {fmt_value(codes[top])} ({score(average[top])}) and lowest at code "
            f"{fmt_value(codes[bottom])} ({score(average[bottom])}){among}; by code: {each}")


def _sample(source, frame: pd.DataFrame | None, *, rows: int, seed: int) -> tuple[pd.DataFrame, np.ndarray,
                                                                                   pd.DataFrame]:
    pre = source.preprocessor
    if frame is None:
        frame = getattr(source, "frame", None)
        if frame is None:
            raise DataError("This run keeps no rows; give the file whose rows the partial dependence should use.")
        split = getattr(source, "split", None)
        pool = np.asarray(split.test) if split is not None and len(split.test) else np.arange(len(frame))
    else:
        missing = [c for c in pre.columns if c not in frame.columns]
        if missing:
            raise DataError(f"The file lacks {len(missing)} column(s) the model was trained on: "
                            f"{', '.join(map(str, missing[:10]))}. Use a file with the training columns.")
        pool = np.arange(len(frame))
    chosen = np.sort(np.random.default_rng(seed).choice(pool, size=min(rows, len(pool)), replace=False))
    return frame.iloc[chosen][list(pre.columns)].reset_index(drop=True), chosen, frame.iloc[pool]


def _recompute(block: pd.DataFrame, column: str, derived) -> list[str]:
    done = []
    for d in derived:
        if column in (d.left, d.right) and d.column != column and d.column in block.columns:
            block[d.column] = d.values(block[d.left], block[d.right])
            done.append(f"{d.column} = {d.formula}")
    return done


def _scores(source, block: pd.DataFrame, kind: str, target_class: str | None) -> np.ndarray:
    out = np.asarray(source.predict(block), dtype="float64")
    if kind in (MULTICLASS, ORDINAL):
        return out[:, _class_index(source, target_class)]
    return out.ravel()


def _class_index(source, target_class: str | None) -> int:
    labels = [str(c) for c in getattr(source, "class_labels", None) or []]
    if target_class is not None and str(target_class) in labels:
        return labels.index(str(target_class))
    if target_class is not None:
        raise ConfigError(f"Class '{target_class}' is not one of the model's classes: {', '.join(labels)}.")
    return 0


def score_name(source, kind: str, target_class: str | None) -> str:
    """What the y axis is: 'probability of default', 'probability of rating BBB', 'predicted value'."""
    if kind == BINARY:
        from finmodels.explain.outputs import PROBABILITY, output_name

        config = getattr(source, "config", None)
        return output_name(task=getattr(config, "task", None), event_label=getattr(source, "event_label", None),
                           scale=PROBABILITY, target=getattr(config, "target", None) or getattr(source, "target", None))
    if kind in (MULTICLASS, ORDINAL):
        labels = [str(c) for c in getattr(source, "class_labels", None) or []]
        return f"probability of '{target_class if target_class is not None else (labels or ['?'])[0]}'"
    return "reconstruction error" if kind == ANOMALY else "predicted value"


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value

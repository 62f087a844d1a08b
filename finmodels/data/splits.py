"""Train/validation/test splits that never leak rows between the three parts."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from finmodels.errors import ConfigError, DataError

MIN_ROWS_PER_CLASS = 5  # a class needs this many rows to appear in train, validation and test


@dataclass(frozen=True)
class Split:
    """Positional row indices of each part, plus how the split was made."""

    train: np.ndarray
    valid: np.ndarray
    test: np.ndarray
    method: str
    # a grouped split's entity of every row (by position), so the cross-fitted networks deal whole entities too
    groups: np.ndarray | None = field(default=None, repr=False, compare=False)

    def sizes(self) -> dict[str, int]:
        return {"train": len(self.train), "valid": len(self.valid), "test": len(self.test)}


def stratified_split(y: np.ndarray, *, test_size: float = 0.2, valid_size: float = 0.2, seed: int = 0) -> Split:
    """Split rows so each part keeps the class balance of `y`.

    `valid_size` is the share of the rows left after the test part is set aside.
    """
    from sklearn.model_selection import train_test_split

    y = np.asarray(y)
    classes, counts = np.unique(y, return_counts=True)
    if counts.min() < MIN_ROWS_PER_CLASS:
        rare = classes[counts.argmin()]
        raise DataError(
            f"Class '{rare}' has only {counts.min()} rows; at least {MIN_ROWS_PER_CLASS} per class are needed to split into "
            "train, validation and test. Add rows or merge rare classes."
        )
    idx = np.arange(len(y))
    rest, test = train_test_split(idx, test_size=test_size, stratify=y, random_state=seed)
    train, valid = train_test_split(rest, test_size=valid_size, stratify=y[rest], random_state=seed)
    return Split(np.sort(train), np.sort(valid), np.sort(test), "stratified random")


def _cut_points(n: int, test_size: float, valid_size: float) -> tuple[int, int]:
    n_test = max(1, int(round(n * test_size)))
    n_valid = max(1, int(round((n - n_test) * valid_size)))
    return n - n_test - n_valid, n - n_test


def chronological_split(dates, *, test_size: float = 0.2, valid_size: float = 0.2) -> Split:
    """Oldest rows train, newer rows validate, newest rows test: no future row is ever in training.

    Rows sharing a date stay on one side, so a cut never splits a day. Rows without a date cannot be
    placed in time and are left out of all three parts.
    """
    import pandas as pd

    when = pd.to_datetime(pd.Series(dates), errors="coerce")
    known = np.flatnonzero(when.notna().to_numpy())
    days = np.sort(when.iloc[known].unique())
    if len(days) < 3:
        raise DataError(
            f"The date column has {len(days)} distinct date{'s' if len(days) != 1 else ''}; a chronological split "
            "needs at least 3 (train, validation and test periods). Use a random split or add rows from other dates."
        )
    order = known[np.argsort(when.iloc[known].to_numpy(), kind="stable")]
    day = np.searchsorted(days, when.iloc[order].to_numpy())  # position of each sorted row's date
    valid_at, test_at = _cut_points(len(order), test_size, valid_size)
    # Cut at the start of a date, keeping at least one date in each part.
    test_day = int(np.clip(day[min(test_at, len(order) - 1)], 2, len(days) - 1))
    valid_day = int(np.clip(day[min(valid_at, len(order) - 1)], 1, test_day - 1))
    train, valid, test = order[day < valid_day], order[(day >= valid_day) & (day < test_day)], order[day >= test_day]
    return Split(np.sort(train), np.sort(valid), np.sort(test), "chronological")


def grouped_split(groups, y=None, *, test_size: float = 0.2, valid_size: float = 0.2, seed: int = 0,
                  labels=None) -> Split:
    """Split so that all rows of one entity (borrower, company, ticker) land in the same part.

    With `y` given, the entities are dealt so each part keeps the classes' shares as far as whole entities allow
    (scikit-learn's StratifiedGroupKFold), and every part must hold every class; a message names a class no part
    can hold (by its label in `labels`, the rows' own values, when given) and says what to do.
    """
    import pandas as pd
    from sklearn.model_selection import GroupShuffleSplit

    keys = pd.Series(groups).astype(str).to_numpy()
    n_groups = len(np.unique(keys))
    if n_groups < 3:
        raise DataError(
            f"The identifier column has {n_groups} distinct value{'s' if n_groups != 1 else ''}; a grouped split "
            "needs at least 3 entities. Use a random split instead."
        )
    idx = np.arange(len(keys))
    if y is None:
        rest, test = next(GroupShuffleSplit(n_splits=1, test_size=test_size, random_state=seed).split(idx, groups=keys))
        train_pos, valid_pos = next(GroupShuffleSplit(n_splits=1, test_size=valid_size, random_state=seed)
                                    .split(rest, groups=keys[rest]))
        return Split(np.sort(rest[train_pos]), np.sort(rest[valid_pos]), np.sort(test), "grouped by entity", keys)
    y = np.asarray(y)
    classes = set(np.unique(y).tolist())
    missing: set = set()
    for rest, test in _dealt(idx, y, keys, test_size, seed):
        for train_pos, valid_pos in _dealt(rest, y[rest], keys[rest], valid_size, seed):
            parts = (rest[train_pos], rest[valid_pos], test)
            lacking = set().union(*(classes - set(np.unique(y[part]).tolist()) for part in parts))
            if not lacking:
                return Split(*(np.sort(part) for part in parts), "grouped by entity", keys)
            missing = missing or lacking
    named = sorted({str(pd.Series(labels).to_numpy()[y == c][0]) if labels is not None else str(c) for c in missing})
    raise DataError(
        f"A split by entity cannot put rows of {', '.join(map(repr, named))} in every part: "
        f"{'that class is' if len(named) == 1 else 'those classes are'} held by too few of the {n_groups:,} entities. "
        "Merge rare classes, add rows, or use a random split.")


def _dealt(idx: np.ndarray, y: np.ndarray, keys: np.ndarray, share: float, seed: int):
    """(rest, held) position pairs of `idx`, whole entities held out, classes' shares kept: each fold of a
    StratifiedGroupKFold with about 1/share folds, in turn."""
    from sklearn.model_selection import StratifiedGroupKFold

    import warnings

    folds = max(2, int(round(1 / share)))
    if len(np.unique(keys)) < folds:
        return
    with warnings.catch_warnings():  # a class with fewer rows than folds is the caller's to name, not a warning's
        warnings.simplefilter("ignore", UserWarning)
        dealt = list(StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed).split(idx, y, groups=keys))
    yield from dealt


def split_rows(y=None, *, dates=None, groups=None, test_size: float = 0.2, valid_size: float = 0.2,
               seed: int = 0) -> Split:
    """The split that fits the data: chronological with dates, grouped with a repeating entity id,
    else stratified random (classification) or plain random (no labels)."""
    if dates is not None:
        return chronological_split(dates, test_size=test_size, valid_size=valid_size)
    if groups is not None:
        return grouped_split(groups, y, test_size=test_size, valid_size=valid_size, seed=seed)
    if y is not None:
        return stratified_split(y, test_size=test_size, valid_size=valid_size, seed=seed)
    raise DataError("Nothing to split by: give the target, a date column or an identifier column.")


def split_for_profile(frame, found, y=None, *, test_size: float = 0.2, valid_size: float = 0.2,
                      seed: int = 0) -> Split:
    """`split_rows` with the date and entity columns that `finmodels.data.profiling.profile` found in `frame`.

    `frame` holds the rows to split (rows without a target already dropped), in the order of `y`.
    """
    dates = frame[found.date_column] if found.date_column else None
    groups = frame[found.entity_column] if found.entity_column else None
    return split_rows(y, dates=dates, groups=groups, test_size=test_size, valid_size=valid_size, seed=seed)


def random_split(n: int, *, test_size: float, valid_size: float, seed: int) -> Split:
    """A plain shuffled split, for numeric targets that cannot be stratified."""
    from sklearn.model_selection import train_test_split

    if n < 10:
        raise DataError(f"Only {n} rows have a target; at least 10 are needed for train, validation and test.")
    rest, test = train_test_split(np.arange(n), test_size=test_size, random_state=seed)
    train, valid = train_test_split(rest, test_size=valid_size, random_state=seed)
    return Split(np.sort(train), np.sort(valid), np.sort(test), "random")


def split_for_run(rows, classes: np.ndarray | None, *, target: str | None, method: str = "random",
                  test_size: float = 0.2, valid_size: float = 0.2, seed: int = 0) -> Split:
    """A run's split of `rows`: stratified by `classes` (or shuffled without them); with method 'auto' by date or
    entity when the profile finds one; 'date' by the date column, 'entity' keeping each entity's rows (a company
    rated several times, a borrower's several loans) in one part."""
    args = dict(test_size=test_size, valid_size=valid_size, seed=seed)
    if method in ("auto", "date", "entity"):
        from finmodels.data.profiling import profile

        found = profile(rows, target=target or None)
        if method == "date":
            if not found.date_column:
                raise DataError("A split by date needs a date column, and this file has none the profile reads as "
                                "dates. Mark one as a date on the Data page, or choose a random split.")
            return chronological_split(rows[found.date_column], test_size=test_size, valid_size=valid_size)
        if method == "entity":
            if not found.entity_column:
                raise DataError("A split by entity needs an identifier column whose values repeat (a company or "
                                "borrower seen in several rows), and this file has none. Mark one as an identifier on "
                                "the Data page, or choose a random split.")
            named = rows[target] if target and target in rows.columns else None
            return grouped_split(rows[found.entity_column], classes, labels=named, **args)
        if found.date_column or found.entity_column:
            return split_for_profile(rows, found, classes, **args)
    return stratified_split(classes, **args) if classes is not None else random_split(len(rows), **args)



def checked_split(split: Split, n: int) -> Split:
    """`split` itself, once it is known to place each of `n` rows at most once (a split given for cross-validation)."""
    parts = np.concatenate([split.train, split.valid, split.test])
    if len(parts) and (parts.min() < 0 or parts.max() >= n):
        raise ConfigError(f"The given split refers to rows outside 0..{n - 1}.")
    if len(np.unique(parts)) != len(parts):
        raise ConfigError("The given split puts a row in more than one part.")
    return split


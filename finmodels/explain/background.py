"""Which rows an explanation uses: a background sample of the training split, and a cap on explained rows.

Both samples are stratified by outcome when one is known, so a rare event (a 5% default rate) is neither
missing from the background nor from the explained rows. A k-means background keeps the training row nearest
each cluster centre, so every background row is a real row whose values can be shown.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from finmodels.errors import ConfigError

BACKGROUND_METHODS = ("stratified", "kmeans")
# The background of every explanation unless told otherwise, wherever it runs: the Explain page and the what-if in
# the dashboard, the explain and whatif commands, the report. A run draws it from the same KEPT_ROWS rows its bundle
# saves, with the same draw (`run_background`), so a row's contributions are the same in the dashboard and on the
# command line (a user saw them differ: the run sampled all its training rows, the bundle its 200 saved ones).
DEFAULT_BACKGROUND_ROWS = 100
KEPT_ROWS = 200  # training rows a run keeps for explanations: a bundle's background.csv
DEFAULT_MAX_ROWS = 1000
DEFAULT_MAX_WINDOWS = 200  # sequence models are explained by permutation, about 5x the cost per row
KMEANS_ROWS = 20_000  # rows a k-means background is clustered from, of a larger training split


@dataclass(frozen=True)
class RowSample:
    """Positions chosen from a larger set of rows, and a sentence saying how they were chosen."""

    positions: np.ndarray
    available: int
    note: str

    @property
    def sampled(self) -> bool:
        return len(self.positions) < self.available


def stratified_positions(labels: np.ndarray, n: int, *, seed: int = 0) -> np.ndarray:
    """Sorted positions of `n` rows drawn so each label keeps its share (all rows when n >= len(labels)).

    Every label present gets at least one row when `n` allows it.
    """
    if n < 1:
        raise ConfigError(f"The number of rows to sample must be at least 1; got {n}.")
    labels = np.asarray(labels)
    total = len(labels)
    if n >= total:
        return np.arange(total)
    classes, counts = np.unique(labels, return_counts=True)
    order = np.argsort(-counts)  # largest class first
    quota = np.minimum(counts, np.maximum(1, np.floor(counts / total * n).astype(int)))
    # Rounding leaves rows over (or, with many tiny classes, too many): settle the difference on large classes.
    for i in np.concatenate([order, order]):
        gap = n - quota.sum()
        if gap == 0:
            break
        quota[i] = int(np.clip(quota[i] + gap, 0, counts[i]))
    rng = np.random.default_rng(seed)
    chosen = [rng.choice(np.flatnonzero(labels == c), size=q, replace=False) for c, q in zip(classes, quota) if q]
    return np.sort(np.concatenate(chosen))


def uniform_positions(total: int, n: int, *, seed: int = 0) -> np.ndarray:
    """Sorted positions of `n` of `total` rows drawn uniformly without replacement (all when n >= total)."""
    if n < 1:
        raise ConfigError(f"The number of rows to sample must be at least 1; got {n}.")
    if n >= total:
        return np.arange(total)
    return np.sort(np.random.default_rng(seed).choice(total, size=n, replace=False))


def kmeans_positions(x: np.ndarray, n: int, *, seed: int = 0) -> np.ndarray:
    """Positions of the rows nearest to the centres of `n` k-means clusters of the model inputs `x`.

    Of more than KMEANS_ROWS rows, the clusters and the nearest rows are found among KMEANS_ROWS drawn at random
    (a float64 copy of 640,000 encoded training rows was 700 MB, and k-means on it minutes).
    """
    from sklearn.cluster import KMeans

    if n >= len(x):
        return np.arange(len(x))
    pool = uniform_positions(len(x), max(KMEANS_ROWS, n), seed=seed)
    flat = np.asarray(x[pool], dtype="float64").reshape(len(pool), -1)
    centres = KMeans(n_clusters=n, n_init=3, random_state=seed).fit(flat).cluster_centers_
    nearest = []
    taken: set[int] = set()
    for centre in centres:
        for pos in np.argsort(((flat - centre) ** 2).sum(axis=1)):
            if int(pos) not in taken:
                taken.add(int(pos))
                nearest.append(int(pos))
                break
    return np.sort(pool[np.array(nearest)])


def sample_rows(labels: np.ndarray | None, n: int, *, total: int | None = None, seed: int = 0,
                what: str = "rows") -> RowSample:
    """At most `n` positions, stratified by `labels` when given, with a note an analyst can read.

    `total` is the number of rows when there are no labels.
    """
    available = len(labels) if labels is not None else int(total or 0)
    if labels is not None:
        positions = stratified_positions(labels, n, seed=seed)
        how = "stratified by outcome"
    else:
        positions = uniform_positions(available, n, seed=seed)
        how = "drawn at random (no outcome column to stratify by)"
    if len(positions) < available:
        note = f"{len(positions):,} of {available:,} {what}, {how}."
    else:
        note = f"All {available:,} {what}."
    return RowSample(positions, available, note)


def outcome_labels(result) -> np.ndarray | None:
    """The outcome of each row of a trained run, which its samples keep the shares of; None when it has none to
    stratify by (a regression, a forecast, an anomaly run without a target)."""
    from finmodels.data.tasks import ANOMALY, BINARY, MULTICLASS, ORDINAL

    kind = getattr(result, "kind", BINARY)
    labelled = kind in (BINARY, MULTICLASS, ORDINAL) or (kind == ANOMALY and bool(getattr(result.config, "target",
                                                                                          None)))
    return np.asarray(result.y) if labelled else None


def kept_positions(result) -> np.ndarray:
    """The KEPT_ROWS training rows a run keeps for explanations (its bundle saves them), as sorted positions in its
    frame: stratified by outcome when it has one, drawn with the run's own seed, so the same on every call."""
    train = np.asarray(result.split.train)
    labels = outcome_labels(result)
    seed = int(getattr(result.config, "seed", 0) or 0)
    if labels is not None:
        return train[stratified_positions(labels[train], KEPT_ROWS, seed=seed)]
    return train[uniform_positions(len(train), KEPT_ROWS, seed=seed)]


def run_background(result, n: int = DEFAULT_BACKGROUND_ROWS, *, seed: int = 0) -> RowSample:
    """A run's background: `n` of its kept rows (`kept_positions`), drawn as an explanation of its bundle draws them
    from the bundle's saved rows (`sample_rows` with `seed`), so both give a row the same contributions. Positions
    are in the run's frame. Above KEPT_ROWS rows (only a run has more), a stratified sample of all training rows."""
    if n < 1:
        raise ConfigError(f"The background needs at least 1 row; got {n}.")
    if n > KEPT_ROWS:
        labels = outcome_labels(result)
        train = np.asarray(result.split.train)
        found = sample_rows(None if labels is None else labels[train], n, total=len(train), seed=seed,
                            what="training rows")
        return RowSample(train[found.positions], found.available, found.note)
    kept = kept_positions(result)
    drawn = sample_rows(None, n, total=len(kept), seed=seed, what="kept rows")
    how = "stratified by outcome" if outcome_labels(result) is not None else "drawn at random"
    note = (f"{len(drawn.positions):,} of the {len(kept):,} training rows the run keeps for explanations (its bundle "
            f"saves them; {how}){', drawn at random' if drawn.sampled else ''}.")
    return RowSample(kept[drawn.positions], len(kept), note)


def background_positions(x: np.ndarray, labels: np.ndarray | None, n: int = DEFAULT_BACKGROUND_ROWS, *,
                         method: str = "stratified", seed: int = 0) -> RowSample:
    """Background rows from the training inputs `x`: a stratified sample or the k-means representatives."""
    if method not in BACKGROUND_METHODS:
        raise ConfigError(f"Unknown background method '{method}'. Available: {', '.join(BACKGROUND_METHODS)}.")
    if n < 1:
        raise ConfigError(f"The background needs at least 1 row; got {n}.")
    if method == "kmeans":
        positions = kmeans_positions(x, n, seed=seed)
        among = f" (clustered from {KMEANS_ROWS:,} of the {len(x):,}, drawn at random)" if len(x) > KMEANS_ROWS else ""
        return RowSample(positions, len(x), f"{len(positions):,} training rows nearest to k-means centres{among}.")
    return sample_rows(labels, n, total=len(x), seed=seed, what="training rows")

"""Train/validation/test splits that never leak rows between the three parts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from finmodels.errors import DataError


@dataclass(frozen=True)
class Split:
    """Positional row indices of each part, plus how the split was made."""

    train: np.ndarray
    valid: np.ndarray
    test: np.ndarray
    method: str

    def sizes(self) -> dict[str, int]:
        return {"train": len(self.train), "valid": len(self.valid), "test": len(self.test)}


def stratified_split(y: np.ndarray, *, test_size: float = 0.2, valid_size: float = 0.2, seed: int = 0) -> Split:
    """Split rows so each part keeps the class balance of `y`.

    `valid_size` is the share of the rows left after the test part is set aside.
    """
    from sklearn.model_selection import train_test_split

    y = np.asarray(y)
    classes, counts = np.unique(y, return_counts=True)
    if counts.min() < 5:
        rare = classes[counts.argmin()]
        raise DataError(
            f"Class '{rare}' has only {counts.min()} rows; at least 5 per class are needed to split into "
            "train, validation and test. Add rows or merge rare classes."
        )
    idx = np.arange(len(y))
    rest, test = train_test_split(idx, test_size=test_size, stratify=y, random_state=seed)
    train, valid = train_test_split(rest, test_size=valid_size, stratify=y[rest], random_state=seed)
    return Split(np.sort(train), np.sort(valid), np.sort(test), "stratified random")

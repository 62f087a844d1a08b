"""Whether a table fits in memory once encoded, checked before training so a huge file gets a message, not a
killed process.

The estimate is the encoded rows (float32, one input per scaled number, gap flag, code, level and
piecewise-linear piece, the pieces bounded as `preprocessing.TRAIN_MATRIX_BYTES` bounds them), the copies
training makes of the raw columns, the baselines' sample, and the libraries' own memory. Fitted to the peaks of
`python -m finmodels train` on a 16-column loan book of 100k to 5M rows (bench/scale.md).
"""

from __future__ import annotations

import pandas as pd

from finmodels.errors import DataError

LIBRARIES_BYTES = 1.2 * 2**30  # TensorFlow, Keras and scikit-learn loaded in the process that trains
RAW_COPIES = 1.0  # the rows as read (the copies training makes are taken in parts)
# Fitted to the peak resident memory of `python -m finmodels train` on the 16-column loan book of 100k, 300k, 1M
# and 5M rows (bench/scale.md), with the inputs each run really had (423, 452, 137, 145): every part encoded once
# and a round of batches (1.6 copies of the encoded rows), and gradient boosting's float64 copy of the baselines'
# sample and of its own validation split (2.4 copies of the sample, 8 bytes a value); within 115 MB of each peak.
ENCODED_COPIES = 1.6
BASELINE_COPIES = 2.4
# target-aware pieces per numeric column on a file that is not capped: 42 to 45 on the loan book
PIECES = 48


def estimated_inputs(frame: pd.DataFrame, features: list[str], *, pieces: int) -> int:
    """An upper bound of the network's inputs: per numeric column, its scaled value, a gap flag and `pieces`
    pieces; per text column its levels (at most 50 kept)."""
    from finmodels.models.preprocessing import MAX_CATEGORY_LEVELS, split_feature_types

    numeric, categorical = split_feature_types(frame, features)
    levels = sum(min(int(frame[c].nunique()), MAX_CATEGORY_LEVELS) + 1 for c in categorical)
    return len(numeric) * (2 + pieces) + levels


def estimated_bytes(frame: pd.DataFrame, features: list[str], *, pieces: int = PIECES) -> tuple[int, int]:
    """(estimated peak bytes of training on `frame`, estimated inputs per row)."""
    from finmodels.models.preprocessing import TRAIN_MATRIX_BYTES
    from finmodels.models.sampling import BASELINE_ROWS

    rows = max(len(frame), 1)
    inputs = estimated_inputs(frame, features, pieces=pieces)
    # the training rows (64% of them) are held near TRAIN_MATRIX_BYTES when pieces are many: never wider than that
    bounded = max(min(inputs, TRAIN_MATRIX_BYTES / (4 * 0.64 * rows)), estimated_inputs(frame, features, pieces=8))
    raw = frame[features].memory_usage(deep=True, index=False).sum()
    sample = min(0.8 * rows, BASELINE_ROWS)  # the baselines learn from training and validation rows, or a sample
    need = (LIBRARIES_BYTES + RAW_COPIES * raw + ENCODED_COPIES * 4 * rows * bounded
            + BASELINE_COPIES * 8 * sample * bounded)
    return int(need), int(bounded)


def available_bytes() -> int:
    import psutil

    return int(psutil.virtual_memory().available)


def check_fits(frame: pd.DataFrame, features: list[str], *, available: int | None = None) -> None:
    """Raise a DataError with the estimated size and a sample size that fits when training on `frame` would need
    more memory than is available."""
    need, inputs = estimated_bytes(frame, features)
    have = available_bytes() if available is None else available
    if need <= have:
        return
    per_row = max((need - LIBRARIES_BYTES) / max(len(frame), 1), 1)
    fits = int(max(have - LIBRARIES_BYTES, 0) * 0.8 / per_row) // 1000 * 1000
    offer = (f"Train on a stratified sample of {fits:,} rows: `python -m finmodels train FILE --sample {fits}` on "
             f"the command line, or upload a sample of that many rows." if fits >= 1000 else
             "Free memory (close other programs or runs) or use a machine with more memory.")
    raise DataError(f"This file is too large to train on here: {len(frame):,} rows encoded as about {inputs:,} model "
                    f"inputs each need about {need / 2**30:.1f} GB, and {have / 2**30:.1f} GB of memory is available. "
                    f"{offer}")

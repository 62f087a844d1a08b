"""Whether a table fits in memory once encoded, checked before training so a huge file gets a message, not a
killed process.

The estimate is the encoded rows (float32, one input per scaled number, gap flag, code, level and
piecewise-linear piece, the pieces bounded as `preprocessing.TRAIN_MATRIX_BYTES` bounds them), the copies
training makes of the raw columns, and the libraries' own memory. Measured on a 1M-row, 16-column loan book
(python -m finmodels.bench --scale), the estimate errs a little on the high side there.
"""

from __future__ import annotations

import pandas as pd

from finmodels.errors import DataError

LIBRARIES_BYTES = 1.2 * 2**30  # TensorFlow, Keras and scikit-learn loaded in the process that trains
RAW_COPIES = 2.5  # the rows, their typed copy for the encoders, the test rows scored and the bundle's reference
# every part encoded once, a round of batches, the baselines' sample, and the bundle scoring every training row
# with TensorFlow's copy of them: with 2.0 the 1M-row book is estimated at 2.7 GB; it peaked at 2.6 GB
ENCODED_COPIES = 2.0


def estimated_inputs(frame: pd.DataFrame, features: list[str], *, pieces: int) -> int:
    """An upper bound of the network's inputs: per numeric column, its scaled value, a gap flag and `pieces`
    pieces; per text column its levels (at most 50 kept)."""
    from finmodels.models.preprocessing import MAX_CATEGORY_LEVELS, split_feature_types

    numeric, categorical = split_feature_types(frame, features)
    levels = sum(min(int(frame[c].nunique()), MAX_CATEGORY_LEVELS) + 1 for c in categorical)
    return len(numeric) * (2 + pieces) + levels


def estimated_bytes(frame: pd.DataFrame, features: list[str], *, pieces: int = 16) -> tuple[int, int]:
    """(estimated peak bytes of training on `frame`, estimated inputs per row)."""
    from finmodels.models.preprocessing import TRAIN_MATRIX_BYTES

    rows = max(len(frame), 1)
    inputs = estimated_inputs(frame, features, pieces=pieces)
    # the training rows (64% of them) are held near TRAIN_MATRIX_BYTES when pieces are many: never wider than that
    bounded = max(min(inputs, TRAIN_MATRIX_BYTES / (4 * 0.64 * rows)), estimated_inputs(frame, features, pieces=8))
    raw = frame[features].memory_usage(deep=True, index=False).sum()
    return int(LIBRARIES_BYTES + RAW_COPIES * raw + ENCODED_COPIES * 4 * rows * bounded), int(bounded)


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

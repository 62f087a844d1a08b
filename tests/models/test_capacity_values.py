"""The memory estimate in numbers: the inputs it assumes at each size, and what it adds up to."""

import numpy as np
import pandas as pd
import pytest

from finmodels.models import capacity


def book(rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({f"x{i}": rng.normal(size=rows) for i in range(9)})
    frame["region"] = np.asarray([f"region {i:02d}" for i in range(25)], dtype=object)[rng.integers(0, 25, rows)]
    return frame


@pytest.mark.parametrize("rows, inputs", [
    (100_000, 9 * 50 + 26),  # 48 pieces, a scaled value and a gap flag per number; 25 levels and one for others
    (1_000_000, 157),  # the encoded training rows' budget: 384 MB / (4 bytes x 640,000 rows)
    (3_000_000, 9 * 10 + 26),  # never fewer than 8 pieces a number
])
def test_estimated_inputs_follow_the_width_budget(rows, inputs):
    frame = book(rows)
    assert capacity.estimated_bytes(frame, list(frame.columns))[1] == inputs


def test_estimate_adds_libraries_rows_encoded_rows_and_the_baselines_sample():
    frame = book(300_000)
    need, inputs = capacity.estimated_bytes(frame, list(frame.columns))
    raw = frame.memory_usage(deep=True, index=False).sum()
    assert inputs == 476
    assert need == int(1.2 * 2**30 + raw + 1.6 * 4 * 300_000 * 476 + 2.4 * 8 * 100_000 * 476)
    assert 2.9 * 2**30 < need < 3.2 * 2**30  # the 300k loan book (452 inputs) peaked at 2.9 GB

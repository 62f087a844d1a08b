"""How a run's details are split for the workspace: arrays for evaluation.npz, plain values for run.json."""

import math

import numpy as np
import pandas as pd

from finmodels.runtime.records import split_details


def test_scalars_go_to_run_json_and_arrays_to_the_npz():
    details = {
        "zone": "green", "exceptions": 3, "kupiec_p": 0.41, "ok": True, "missing": None, "nan": float("nan"),
        "weights": np.array([0.25, 0.75]), "labels": ["AAPL 2017-11-03", "MSFT 2017-11-03"],
        "when": pd.Timestamp("2020-01-02"), "mixed": [{"a": 1}, 2],
    }
    arrays, scalars, left_out = split_details(details)
    assert scalars == {"zone": "green", "exceptions": 3, "kupiec_p": 0.41, "ok": True, "missing": None,
                       "nan": None}
    assert sorted(arrays) == ["labels", "weights", "when"]
    np.testing.assert_array_equal(arrays["weights"], [0.25, 0.75])
    assert arrays["labels"].dtype.kind == "U" and list(arrays["labels"]) == ["AAPL 2017-11-03", "MSFT 2017-11-03"]
    assert arrays["when"] == np.datetime64("2020-01-02")
    assert left_out == ["mixed"]
    assert not any(isinstance(v, float) and math.isnan(v) for v in scalars.values())

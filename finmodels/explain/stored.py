"""An explanation as plain JSON and back, so one computed on the Explain page is kept with its run in the workspace
and the Report (in any tab, after a reload or a restart) shows the very same values and reason codes.

The record holds the SHAP values, the predictions, which rows were explained (`row_ids`), per-lag values of a
sequence model, how it was made, and the reason codes of its REASON_ROWS highest-scored rows (the report shows
three). The explained rows themselves are kept only where the workspace keeps data (`rows=True`; pandas' table
schema keeps each column's type, so a reason code reads '35' and not '35.0'); otherwise they are taken again from
the run's data when it is at hand, and without it only the kept reason codes can be read.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from finmodels.errors import FinModelsError
from finmodels.explain.explanation import Explanation

FORMAT, VERSION = "finmodels-explanation", 1
REASON_ROWS = 10


@dataclass
class KeptExplanation(Explanation):
    """An explanation read back without its rows (neither kept nor at hand): `data` is empty, and a row's reason
    codes are the ones kept with it (the REASON_ROWS highest-scored rows; other rows have none)."""

    codes: dict[int, list[str]] = field(default_factory=dict)

    def reason_codes(self, row: int, **_) -> list[str]:
        return list(self.codes.get(int(row), []))


def explanation_record(explanation: Explanation, *, rows: bool = False) -> dict:
    """The explanation as a JSON-ready dict (NaN values become null); the explained rows' values only when `rows`."""
    values = np.asarray(explanation.values, dtype=float)
    return {
        "format": FORMAT, "version": VERSION, "explainer": explanation.explainer,
        "columns": [str(c) for c in explanation.columns], "values": _nulls(values),
        "base_value": float(explanation.base_value), "predictions": _nulls(explanation.predictions),
        "data": json.loads(explanation.data.to_json(orient="table", index=False, date_format="iso")) if rows else None,
        "codes": {str(i): explanation.reason_codes(i) for i in explanation.rows_by_prediction()[:REASON_ROWS]},
        "background_rows": int(explanation.background_rows), "seconds": float(explanation.seconds),
        "scale": explanation.scale, "output_name": explanation.output_name, "method": explanation.method,
        "failures": list(explanation.failures), "rows_note": explanation.rows_note,
        "background_note": explanation.background_note,
        "lag_values": None if explanation.lag_values is None else _nulls(explanation.lag_values),
        "lags": [int(lag) for lag in explanation.lags],
        "row_ids": None if explanation.row_ids is None else np.asarray(explanation.row_ids).tolist(),
        "target_class": explanation.target_class,
    }


def _nulls(array) -> list:
    """Nested lists of floats, NaN and infinity as None (JSON has neither)."""
    array = np.asarray(array, dtype=float)
    return np.where(np.isfinite(array), array, None).tolist()


def explanation_from_record(record: dict, frame: pd.DataFrame | None = None) -> Explanation:
    """The Explanation a record was made from, its rows taken from `frame` (the run's data) when the record keeps
    none; a KeptExplanation when neither has them. FinModelsError when it is not such a record (another version)."""
    if not isinstance(record, dict) or record.get("format") != FORMAT or record.get("version") != VERSION:
        raise FinModelsError("The explanation kept with this run was written by another version of this tool; "
                             "compute it again on the Explain page.")
    columns = list(record["columns"])
    lag_values = record.get("lag_values")
    row_ids = None if record.get("row_ids") is None else np.asarray(record["row_ids"])
    fields = dict(
        explainer=record["explainer"], columns=columns,
        values=np.array(record["values"], dtype=float).reshape(-1, len(columns)), base_value=float(record["base_value"]),
        predictions=np.array(record["predictions"], dtype=float),
        background_rows=int(record["background_rows"]), seconds=float(record["seconds"]), scale=record["scale"],
        output_name=record["output_name"], method=record["method"], failures=tuple(record["failures"]),
        rows_note=record["rows_note"], background_note=record["background_note"],
        lag_values=None if lag_values is None else np.array(lag_values, dtype=float), lags=list(record["lags"]),
        row_ids=row_ids, target_class=record.get("target_class"))
    if record.get("data") is not None:
        data = pd.read_json(io.StringIO(json.dumps(record["data"])), orient="table").reset_index(drop=True)
        return Explanation(data=data, **fields)
    data = _rows_of(frame, row_ids, columns) if lag_values is None else None
    if data is not None:
        return Explanation(data=data, **fields)
    return KeptExplanation(data=pd.DataFrame(index=range(len(fields["predictions"])), columns=columns), **fields,
                           codes={int(i): list(c) for i, c in (record.get("codes") or {}).items()})


def _rows_of(frame: pd.DataFrame | None, row_ids, columns: list[str]) -> pd.DataFrame | None:
    """The explained rows of a table run, from its data (the explanation named them by their index)."""
    if frame is None or row_ids is None or not frame.index.is_unique or not set(columns) <= set(frame.columns) or \
            not frame.index.isin(row_ids).sum() == len(set(row_ids.tolist())):
        return None
    return frame.loc[row_ids, columns].reset_index(drop=True)

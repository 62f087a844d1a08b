"""Names for explained rows: the company, borrower or ticker a row is about, and its date, from the run's rows.

The Explain page's row picker showed 'Test row 17 · probability 0.41' for a rating run: nothing said which
company that was. `row_labels` names each explained row by the table's identifier (the entity column the Data
profile finds for its 'split by entity' warning, else another identifier such as a loan id) and its date, as a
forecast run's windows are already named by ticker and date ('AAPL 2017-11-03'). A rating or multi-class row
also says its actual and predicted class (`row_classes`): 'probability of 'BBB' 0.538' alone did not say whether
the company was rated BBB, nor what the model predicted for it. `picker_labels` writes the picker's whole line.

Every row of a table is first named by its line in the file ('line 22761 of the file', the header being line 1), as
the Data page's checks and the what-if name it (tidying.rows_phrase): on taiwan_default.csv the picker showed
'22760', the ID column's value, while the what-if named the same borrower 'line 22761 of the file'. A number taken
from the file says which column it is ('ID 22760'); a name or a date speaks for itself.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from finmodels.data.profiling import IDENTIFIER, parse_dates, profile
from finmodels.data.tasks import FORECAST, MULTICLASS, ORDINAL
from finmodels.data.tidying import rows_phrase

SEPARATOR = " · "
PROFILED_ROWS = 20_000  # the first rows the identifier and the date are found on (a profile of 5M rows takes long)


def label_columns(frame: pd.DataFrame, *, target: str | None = None) -> tuple[str | None, str | None]:
    """(identifier column, date column) a row of `frame` is named by: the profile's entity column (an identifier
    whose values repeat, such as a company rated at several dates), else its first identifier; None for either
    when the table has none."""
    found = profile(frame.iloc[:PROFILED_ROWS], target=target if target in frame.columns else None)
    ids = found.names(IDENTIFIER)
    return found.entity_column or (ids[0] if ids else None), found.date_column


def _value_name(column: str, value) -> str:
    """An identifier's value as a row's name: a number with its column ('ID 22760': alone it reads as a row or line
    number), a name as it is ('Whirlpool Corporation'), '(no ID)' when missing."""
    if pd.isna(value):
        return f"(no {column})"
    text = str(value)
    return f"{column} {text}" if re.fullmatch(r"[-+]?[\d.,]+", text) else text


def line_labels(frame: pd.DataFrame, positions, *, target: str | None = None) -> list[str]:
    """A name per row at `positions` (0-based) of `frame`, the file as read: its line in the file, then the table's
    identifier and date when it has them ('line 22761 of the file · ID 22760', 'line 3 of the file · Whirlpool
    Corporation · 2015-11-27', 'line 5 of the file')."""
    positions = [int(p) for p in positions]
    rows = frame.iloc[positions]
    entity, date = label_columns(frame, target=target)
    parts = [[rows_phrase([p + 2]) for p in positions]]
    if entity is not None:
        parts.append([_value_name(entity, v) for v in rows[entity]])
    if date is not None:
        dates = parse_dates(rows[date]) if not pd.api.types.is_datetime64_any_dtype(rows[date]) else rows[date]
        parts.append([f"(no {date})" if pd.isna(d) else f"{d:%Y-%m-%d}" for d in dates])
    return [SEPARATOR.join(p) for p in zip(*parts)]


def row_labels(frame: pd.DataFrame, row_ids, *, target: str | None = None) -> list[str] | None:
    """`line_labels` of the rows of `frame` whose index labels are `row_ids` (an explanation's rows); None when they
    cannot be found (an index that repeats, or labels not in it)."""
    if not frame.index.is_unique:
        return None
    positions = frame.index.get_indexer(list(row_ids))
    return None if (positions < 0).any() else line_labels(frame, positions, target=target)


def explained_row_labels(result, explanation) -> list[str] | None:
    """Labels of an explanation's rows of `result` (a TrainingResult): a forecast run's windows by ticker and date
    (its details' labels, in the order of the test windows), a table's rows by `row_labels` (their line in the file,
    identifier and date); None when the run has no rows at hand (read back without its file)."""
    ids = explanation.row_ids
    if ids is None:
        return None
    if getattr(result, "kind", None) == FORECAST:
        labels = result.details.get("labels")
        return None if labels is None else [str(labels[i]) for i in ids]
    if result.frame is None:
        return None
    return row_labels(result.frame, ids, target=result.config.target)


def explained_row_names(result, explanation) -> list[str]:
    """`explained_row_labels`, else 'Test row 17' (a run read back without its rows): the name of each explained row
    wherever one row is shown (picker, waterfall, reason codes, report)."""
    return explained_row_labels(result, explanation) or [f"Test row {i + 1}"
                                                         for i in range(len(explanation.predictions))]


def row_classes(result, explanation) -> list[str] | None:
    """'actual A, predicted BBB' per explained row of a rating or multi-class run (`result`, a TrainingResult), the
    predicted class being the one its evaluation counts (the most probable); None for other runs and for a run
    without its rows at hand."""
    ids, frame = explanation.row_ids, getattr(result, "frame", None)
    if getattr(result, "kind", None) not in (MULTICLASS, ORDINAL) or ids is None or frame is None \
            or not frame.index.is_unique:
        return None
    positions = frame.index[result.split.test].get_indexer(ids)  # the explained rows among the scored test rows
    if (positions < 0).any():
        return None
    labels = np.asarray(result.class_labels, dtype=object)
    predicted = np.asarray(result.details.get("predicted", np.asarray(result.test_scores).argmax(axis=1)))
    actual = np.asarray(result.y_test)
    return [f"actual {labels[actual[p]]}, predicted {labels[predicted[p]]}" for p in positions]


def picker_labels(result, explanation, *, names: list[str] | None = None) -> list[str]:
    """The row picker's line per explained row: its name ('line 22761 of the file · ID 22760', else 'Test row 17'),
    a rating or multi-class row's actual and predicted class, and the output explained ('probability of 'BBB'
    0.538', a forecast's 'return 0.31%'); `names` when the caller has `explained_row_names` already."""
    names = names or explained_row_names(result, explanation)
    classes = row_classes(result, explanation)
    return [SEPARATOR.join([names[i], *([classes[i]] if classes else []),
                            f"{explanation.output_name} {explanation.output_text(p)}"])
            for i, p in enumerate(explanation.predictions)]

"""Drivers that describe the record rather than the borrower: who rated or supplied a row, an identifier, a date.

A validator questions a model whose main driver is who rated a company (corporate_rating's 'Rating Agency Name')
rather than its finances, a loan id, or the year a loan was booked: such a column makes the model learn the
agency's scale, the entity or the period, none of which carry over to the next borrower. `record_drivers` flags
the columns of an explanation's importance that

- the Data profile reads as an identifier or a date (a role the user may have overridden to use them), or
- are named like one: a rater or source (agency, rater, analyst, vendor, provider, underwriter, 'rated by',
  'data source'), an identifier (id, key, index, row number, ticker, symbol, name), a date (date, timestamp
  anywhere in the name; year, month, quarter, period only as the name's subject: 'fiscal_year', not
  'duration_in_month'),

and that carry weight: among the TOP_DRIVERS largest, or more than an average column's share of the total mean
|SHAP| (1 / columns). Such a column should carry next to nothing; one that ranks with the borrower's own figures
needs a reason. Each finding says what to do: drop the column and retrain, or justify it in the model document.
On corporate_rating (30 inputs, a 20-epoch cross network) 'Rating Agency Name' ranked 4th with 5% of the total.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from finmodels.data.profiling import DATE, IDENTIFIER, name_words, profile

RATER, ID, WHEN = "rater or source", "identifier", "date"
TOP_DRIVERS = 5  # a record column among this many largest drivers is flagged whatever its share; further down,
# from an average column's share (1 / the number of columns)
_RATER_WORDS = {"agency", "agencies", "rater", "raters", "analyst", "vendor", "provider", "underwriter"}
_RATER_PAIRS = {("rated", "by"), ("data", "source"), ("source", "system"), ("record", "source")}  # not income_source
_ID_WORDS = {"id", "uuid", "guid", "key", "index", "idx", "ticker", "symbol", "name", "cusip", "isin", "row"}
_DATE_WORDS = {"date", "datetime", "timestamp"}  # anywhere in the name ('issue_date'); the words below only alone
_PERIOD_WORDS = {"year", "month", "quarter", "period", "dt", "of", "as", "report", "reporting", "snapshot", "fiscal",
                 "observation", "calendar", "issue", "rating"}  # 'fiscal_year', not 'duration_in_month'

_WHY = {  # what the column makes the model learn, and a justification a validator could accept
    RATER: ("says who rated or supplied the row, not how the borrower stands",
            "that the agencies rate on different scales and the model must reproduce each one's"),
    ID: ("identifies the row or the entity: the model can learn who the borrower is instead of why it scores so",
         "that the code stands for a product or a segment, not for one borrower"),
    WHEN: ("dates the record: the model learns the period (its economy, the policy then), which will not repeat",
           "a vintage effect the model must carry, with a plan to monitor it"),
}


@dataclass(frozen=True)
class RecordDriver:
    """A column among the drivers that describes the record: its rank (1 = largest), share of the total mean
    |SHAP|, what it is (RATER, ID or WHEN) and what to do."""

    column: str
    rank: int
    share: float
    what: str
    average: float = 0.0  # an average column's share (1 / columns)

    @property
    def message(self) -> str:
        return (f"'{self.column}' is the model's {_ordinal(self.rank)} driver ({self.share:.0%} of the total mean "
                f"|SHAP|; an average column has {self.average:.0%}), and it describes the record, not the borrower: it is named or read as a {self.what}, so "
                f"it {_WHY[self.what][0]}. A validator will question it. Drop it from the features (Data page's "
                f"Features box; --features on the command line) and retrain, or justify it in the model document "
                f"(e.g. {_WHY[self.what][1]}).")

    def to_dict(self) -> dict:
        return {"column": self.column, "rank": self.rank, "share": round(self.share, 4), "what": self.what,
                "average": round(self.average, 4),
                "message": self.message}


def _ordinal(n: int) -> str:
    """'largest', 'second largest', ..., '21st largest'."""
    named = {1: "largest", 2: "second largest", 3: "third largest"}
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return named.get(n, f"{n}{suffix} largest")


def record_kind(column: str, role: str | None = None) -> str | None:
    """RATER, ID or WHEN when `column` describes the record (by its profile `role`, else its name), else None."""
    words = name_words(column)
    pairs = set(zip(words, words[1:]))
    if _RATER_WORDS.intersection(words) or _RATER_PAIRS & pairs or words == ["source"]:
        return RATER
    if role == IDENTIFIER or _ID_WORDS.intersection(words) or (words[-1:] in (["no"], ["nr"], ["number"])
                                                               and len(words) > 1):
        return ID
    if role == DATE or _DATE_WORDS.intersection(words) or (words and set(words) <= _PERIOD_WORDS
                                                            and not set(words) <= {"of", "as", "rating", "issue"}):
        return WHEN
    return None


def record_drivers(importance: pd.Series, frame: pd.DataFrame | None = None, *,
                   target: str | None = None) -> list[RecordDriver]:
    """The columns of `importance` (mean |SHAP| per column, as Explanation.importance gives it) that describe the
    record and carry weight (see the module's docstring), largest first. `frame` (the run's rows) gives the
    profile's roles; without it the names alone decide."""
    total = float(importance.abs().sum())
    if total <= 0:
        return []
    roles = {}
    if frame is not None:
        present = [c for c in importance.index if c in frame.columns]
        roles = profile(frame[present].iloc[:20_000], target=None).roles if present else {}
    ordered = importance.abs().sort_values(ascending=False)
    average = 1 / len(ordered)
    found = []
    for rank, (column, value) in enumerate(ordered.items(), start=1):
        share = float(value) / total
        what = record_kind(str(column), roles.get(str(column)))
        if what is not None and (rank <= TOP_DRIVERS or share > average):
            found.append(RecordDriver(str(column), rank, share, what, average))
    return found


def explanation_record_drivers(explanation, result=None) -> list[RecordDriver]:
    """`record_drivers` of an Explanation, with the roles of `result`'s rows (a TrainingResult) when it has them."""
    frame = getattr(result, "frame", None)
    config = getattr(result, "config", None)
    return record_drivers(explanation.importance(), frame, target=getattr(config, "target", None))

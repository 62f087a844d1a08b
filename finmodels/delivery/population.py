"""The model document's stability section: which population the model's inputs and score were compared with.

PSI of the training file against the model's own training rows is about 0 by construction, and says nothing about
stability. So the section compares, in this order: the file last scored on the Score page (`ScoredPopulation`, its
PSI as Score computed it), else the document's own file when it is not the training file; and when neither is a
population outside the training data, it says so and what to do instead of showing a table of zeros.

Whether a file is the training file is read from its rows, not its name: the share of the model's training rows
(a run's, or a bundle's kept sample of them) found in the file (`training_rows_found`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from finmodels.delivery.html import Figure, html_table, paragraph

__all__ = ["ScoredPopulation", "TRAINING_FILE_SHARE", "rows_among", "stability_section", "training_rows_found"]

TRAINING_FILE_SHARE = 0.9  # a file holding this share of the model's training rows is read as the training file
_PSI_SHOWN = 12
_SCORE_COMMAND = "python -m finmodels score champion RECENT.csv --area AREA"


@dataclass(frozen=True)
class ScoredPopulation:
    """A file scored with the model (on the Score page): its name, the stability report Score computed
    (`monitoring.stability_report`: name, psi, band, advice), its rows, and how many of them are rows of the run's
    own data file (`from_training_file`: None when unknown)."""

    name: str
    stability: pd.DataFrame
    rows: int
    from_training_file: int | None = None
    training_file_rows: int | None = None  # the run's data file's rows, when `from_training_file` was counted

    @property
    def is_training_file(self) -> bool:
        """All the training file's rows and only them: PSI against its own training rows shows nothing."""
        return (self.from_training_file is not None and self.from_training_file == self.rows
                and self.rows == self.training_file_rows)


def _row_keys(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """One hash per row of `columns`, numbers compared as floats and text as stripped strings (a scored file's 25.0
    is the training file's 25)."""
    parts = {}
    for column in columns:
        values = frame[column]
        numbers = pd.to_numeric(values, errors="coerce")
        if values.notna().sum() and numbers.notna().sum() == values.notna().sum():
            parts[column] = numbers.astype("float64")
        else:
            parts[column] = values.astype("string").str.strip()
    return pd.util.hash_pandas_object(pd.DataFrame(parts), index=False).to_numpy()


def rows_among(rows: pd.DataFrame, reference: pd.DataFrame, columns: list[str]) -> int:
    """How many of `rows` equal a row of `reference` in `columns` (the model's inputs)."""
    columns = [c for c in columns if c in rows.columns and c in reference.columns]
    if not columns or not len(rows) or not len(reference):
        return 0
    return int(np.isin(_row_keys(rows, columns), _row_keys(reference, columns)).sum())


def training_rows_found(source, frame: pd.DataFrame, features: list[str]) -> tuple[int, int] | None:
    """(how many of the model's training rows are in `frame`, how many were looked for): a run's training rows, a
    bundle's kept sample of them (`background`); None when the model keeps neither."""
    if hasattr(source, "manifest"):
        reference = getattr(source, "background", None)
    else:
        whole = getattr(source, "frame", None)
        reference = None if whole is None else whole.iloc[source.split.train]
    if reference is None or not len(reference):
        return None
    return rows_among(reference, frame, features), len(reference)


def _nothing_compared(reason: str, *, area: str | None) -> list[str]:
    where = f"--area {area or 'AREA'}"
    command = _SCORE_COMMAND.replace("--area AREA", where)
    return [paragraph("No population outside the training data has been compared yet. " + reason, "flag"),
            paragraph("To measure stability: score a recent file (applicants the model has not seen) on the Score "
                      f"page, then write this document again; this section then gives that file's PSI. On the "
                      f"command line, `{command}` prints the same PSI, and `python -m finmodels document champion "
                      f"RECENT.csv {where}` documents the model on that file.")]


def _psi_parts(report: pd.DataFrame, against: str) -> list[str]:
    from finmodels.evaluation.monitoring import sample_note
    from finmodels.plots.monitoring import plot_stability

    parts = [paragraph(f"Population stability index (PSI) of the score and of each input, {against}. Below 0.1 "
                       "stable, 0.1 to 0.25 a moderate shift, above 0.25 a major one."),
             Figure(plot_stability(report)), html_table(report.head(_PSI_SHOWN).round({"psi": 4}))]
    if len(report) > _PSI_SHOWN:
        parts.append(paragraph(f"The table lists the {_PSI_SHOWN} largest of {len(report)}; the chart all.", "note"))
    small = sample_note(report.attrs.get("rows"))
    if small:
        parts.append(paragraph(small, "note"))
    shifted = report[report["psi"] >= 0.1]
    if len(shifted):
        parts.append(paragraph(f"{len(shifted)} of {len(report)} quantities shifted by 0.1 or more: "
                               f"{', '.join(map(str, shifted['name']))}.", "flag"))
    return parts


def _psi_found(report: pd.DataFrame) -> dict:
    return {"psi": {str(r.name): float(r.psi) for r in report.itertuples()}}


def stability_section(facts, frame: pd.DataFrame, scores, *, data_name: str,
                      scored: ScoredPopulation | None = None, area: str | None = None) -> tuple[list[str], dict]:
    """The stability section and its findings ({'psi': {name: value}, 'stability_of': the file compared, or None})."""
    from finmodels.delivery.scoring import as_scoring_model
    from finmodels.evaluation.monitoring import monitored_score, stability_report

    model = as_scoring_model(facts.source)
    if scored is not None and not scored.is_training_file:
        report = scored.stability.copy()
        report.attrs.setdefault("rows", scored.rows)
        parts = _psi_parts(report, f"'{scored.name}' ({scored.rows:,} rows, the file last scored with this model on "
                                   f"the Score page) against {model.reference_note}")
        if scored.from_training_file:
            parts.insert(1, paragraph(
                f"{scored.from_training_file:,} of its {scored.rows:,} rows are rows of the model's own data file "
                f"({data_name}): for those, the PSI shows how this part of the training file differs from the training "
                "rows, not how a new population does.", "flag"))
        return parts, {**_psi_found(report), "stability_of": scored.name}
    if model.distribution is None:
        return [paragraph("This bundle stores no training distribution (saved by an older version); stability is not "
                          "measured. Save the bundle again from the training run.", "flag")], {"stability_of": None}
    found = training_rows_found(facts.source, frame, facts.features)
    if scored is not None:
        return _nothing_compared(f"The file last scored on the Score page, '{scored.name}', is the training file "
                                 f"itself, so its PSI against the training rows is about 0 by construction.",
                                 area=area), {"stability_of": None}
    if found is not None and found[1] and found[0] >= TRAINING_FILE_SHARE * found[1]:
        return _nothing_compared(f"This document's file, {data_name}, holds the model's training rows ({found[0]:,} of "
                                 f"the {found[1]:,} looked for), so its PSI against them is about 0 by construction "
                                 "and says nothing about stability.", area=area), {"stability_of": None}
    report = stability_report(model.distribution, frame, columns=facts.features, new_scores=monitored_score(scores))
    parts = _psi_parts(report, f"this file ({data_name}) against {model.reference_note}")
    return parts, {**_psi_found(report), "stability_of": data_name}

"""The model document a validator reads: one self-contained HTML file, in the order of model-risk guidance
(SR 11-7): purpose and intended use; data; methodology; performance against the baselines and the scorecard;
stability; explainability; fairness; limitations and monitoring plan.

It is generated from a trained run (`TrainingResult`) or a saved bundle (`LoadedBundle`) and a data file in the
model's columns (usually the file it was trained on, or a recent sample). Everything is computed here, from the
model and the file: quality findings (finmodels.data.validation), the population stability of the score and
inputs against the training rows, SHAP importance, reason codes and the partial dependence of the top columns
(finmodels.explain; finmodels.delivery.dependence_part), fairness by protected columns
(finmodels.evaluation.fairness), and the credit scorecard challenger (finmodels.models.scorecard) when the run did
not train one. Plotly's JavaScript is embedded once, so the file opens offline; every text taken
from the data or the model is escaped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from finmodels.data.tasks import BINARY, FORECAST, get_task
from finmodels.delivery.dependence_part import dependence_part
from finmodels.delivery.html import FLAG_STYLE, STYLE, Figure
from finmodels.delivery.population import ScoredPopulation, stability_section
from finmodels.delivery.provenance import ModelIdentity, decision_part, identity_table
from finmodels.delivery.sections import (NETWORK, REASON_ROWS, ModelFacts, data_section, explainability_section,
                                         fairness_section, limitations_section, methodology_section, model_facts,
                                         performance_section, purpose_section)
from finmodels.errors import ConfigError
from finmodels.evaluation.fairness import MIN_GROUP_ROWS
from finmodels.explain.background import DEFAULT_MAX_ROWS

__all__ = ["DEFAULT_EXPLAINED_ROWS", "NETWORK", "REASON_ROWS", "SECTIONS", "ModelDocument", "ModelFacts",
           "ModelIdentity", "ScoredPopulation", "build_document", "data_fingerprint", "model_facts", "write_document"]

SECTIONS = (("purpose", "Purpose and intended use"), ("data", "Data"), ("methodology", "Methodology"),
            ("performance", "Performance against the baselines and the scorecard"), ("stability", "Stability"),
            ("explainability", "Explainability"), ("fairness", "Fairness"),
            ("limitations", "Limitations and monitoring plan"))
# The rows whose SHAP values give the global importance: the Explain page's and the HTML report's number, so a run
# shows one ranking of its columns wherever it is read (the document explained 300, the page 1,000).
DEFAULT_EXPLAINED_ROWS = DEFAULT_MAX_ROWS
_STYLE = STYLE.rstrip("\n") + FLAG_STYLE


@dataclass
class ModelDocument:
    """The document's sections as HTML fragments (by key, in SECTIONS order) and what was found on the way."""

    title: str
    sections: dict[str, list[str]]
    created: dt.datetime
    data_name: str
    findings: dict = field(default_factory=dict)  # plain values a test or a page can read (AUCs, PSI, flagged ...)
    identity: str = ""  # the table naming the model documented (run, champion, trained, bundle hash), under the title

    def to_html(self) -> str:
        esc = html.escape
        toc = "".join(f"<li><a href='#{key}'>{esc(title)}</a></li>" for key, title in SECTIONS if key in self.sections)
        parts = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
                 f"<title>{esc(self.title)}</title><style>{_STYLE}</style></head><body>",
                 f"<h1>{esc(self.title)}</h1>",
                 f"<p class='note'>Data: {esc(self.data_name)} · generated {self.created:%Y-%m-%d %H:%M} UTC by Risk "
                 "model studio from the model and the data file. Every number below was computed from them.</p>",
                 self.identity, f"<nav><ol>{toc}</ol></nav>"]
        first = True
        for number, (key, title) in enumerate(((k, t) for k, t in SECTIONS if k in self.sections), start=1):
            parts.append(f"<section id='{key}'><h2>{number}. {esc(title)}</h2>")
            for part in self.sections[key]:
                if isinstance(part, Figure):
                    parts.append(part.fig.to_html(full_html=False, include_plotlyjs=True if first else False))
                    first = False
                else:
                    parts.append(part)
            parts.append("</section>")
        parts.append("</body></html>")
        return "\n".join(parts)


def data_fingerprint(frame: pd.DataFrame, raw: bytes | None = None) -> str:
    """SHA-256 of the file's bytes when given, else of the table written as CSV."""
    data = raw if raw is not None else frame.to_csv(index=False).encode()
    return hashlib.sha256(data).hexdigest()


# -- the document ---------------------------------------------------------------------------------------------------

def build_document(source, frame: pd.DataFrame, *, data_name: str, raw: bytes | None = None,
                   protected: list[str] | tuple[str, ...] = (), threshold: float | None = None,
                   purpose: str | None = None, explained_rows: int = DEFAULT_EXPLAINED_ROWS, min_group_rows: int = MIN_GROUP_ROWS,
                   seed: int = 0, created: dt.datetime | None = None,
                   threshold_note: str | None = None, merges: dict | None = None,
                   identity: ModelIdentity | None = None, costs=None, scored: ScoredPopulation | None = None
                   ) -> ModelDocument:
    """The model document of a TrainingResult or LoadedBundle, computed on `frame` (the model's columns).

    `raw` are the file's bytes, for its SHA-256 (else the table's CSV is hashed); `protected` the columns the
    fairness section compares groups of (a run's held-out test rows, as on the Governance page; a bundle's on all of
    `frame`), groups under `min_group_rows` refused, after the analyst's `merges` ({column: {value: group}}, as on
    the Governance page); `threshold` the decision threshold (default 0.5) and `threshold_note` where
    it came from (a clause: 'the threshold was given on the command line'); `purpose` a sentence replacing the
    task's description. `identity` names the model (run id, champion, trained, bundle hash: `ModelIdentity`; what
    it lacks is said as not known); `costs` (a CostMatrix) are the costs the threshold was chosen with, stated in
    numbers with the threshold's cost on the run's test rows; `scored` is the file last scored with the model (its
    PSI is the stability section's; without it, the document's file when it is not the training file, else the
    section says that no population outside the training data was compared). Render it with `.to_html()`;
    `write_document` does both.
    """
    from finmodels.delivery.scoring import check_columns
    from finmodels.explain.drivers import record_drivers
    from finmodels.evaluation.fairness import file_outcomes

    facts = model_facts(source)
    if facts.kind == FORECAST:
        raise ConfigError("The model document covers models of table rows (default, rating, loss, anomaly); a "
                          "forecast model's backtest is in its HTML report (Report page).")
    check_columns(frame, facts.features)
    if explained_rows < 1:
        raise ConfigError(f"Rows to explain must be at least 1; got {explained_rows}.")
    rows = frame.reset_index(drop=True)
    threshold = (0.5 if threshold is None else float(threshold)) if facts.kind == BINARY else None
    scores = np.asarray(facts.predict(rows))
    outcomes = None
    if facts.kind == BINARY:
        outcomes, _ = file_outcomes(rows, facts.target, facts.event_label)
    task = get_task(facts.task)
    sections: dict[str, list[str]] = {}
    sections["purpose"] = purpose_section(facts, purpose=purpose, threshold=threshold, threshold_note=threshold_note,
                                          costs=costs)
    sections["data"], problems = data_section(facts, rows, data_name=data_name, fingerprint=data_fingerprint(rows, raw))
    sections["methodology"] = methodology_section(facts)
    sections["performance"], found = performance_section(facts, rows, scores, outcomes, seed=facts.config.seed)
    if threshold is not None:
        sections["performance"] += decision_part(facts, threshold=threshold, costs=costs, chosen=threshold_note)
    identity = identity or ModelIdentity(run_id=getattr(source, "run_id", None))
    sections["stability"], psi = stability_section(facts, rows, scores, data_name=data_name, scored=scored,
                                                   area=identity.area)
    found.update(psi)
    sections["explainability"], explanation = explainability_section(facts, rows, rows=explained_rows, seed=seed)
    found["importance"] = {str(k): float(v) for k, v in explanation.importance().items()}
    moves, found["dependence"] = dependence_part(source, explanation, rows, seed=seed)
    sections["explainability"] += moves  # how the score moves with the top columns (partial dependence)
    # drivers that describe the record (who rated it, an identifier, a date): named in the limitations (section 8)
    found["record_drivers"] = [d.to_dict() for d in record_drivers(explanation.importance(), rows,
                                                                    target=facts.target)]
    sections["fairness"], reports = fairness_section(facts, rows, scores, outcomes, protected=list(protected),
                                                     threshold=threshold or 0.5, min_rows=min_group_rows,
                                                     data_name=data_name, merges=merges)
    found["fairness"] = {r.column: r.to_dict() for r in reports}
    sections["limitations"] = limitations_section(facts, found, problems, reports, threshold=threshold)
    found["quality_findings"] = [p.message for p in problems]
    title = f"Model document: {task.label} model" + (f" · run {identity.run_id[:8]}" if identity.kept else "")
    return ModelDocument(title, sections, created or dt.datetime.now(dt.timezone.utc), data_name, found,
                         identity_table(identity, facts, threshold=threshold, costs=costs))


def write_document(source, frame: pd.DataFrame, path, **kwargs) -> ModelDocument:
    """Build the document and write its HTML to `path` (UTF-8); returns the document."""
    from pathlib import Path

    document = build_document(source, frame, **kwargs)
    Path(path).write_text(document.to_html(), encoding="utf-8")
    return document

"""The model document's sections (finmodels.delivery.document), each computed from the model and the data file:
purpose and intended use, data and its quality findings, methodology, performance against the baselines and the
scorecard challenger, stability (PSI), explainability (SHAP, reason codes), fairness, limitations and monitoring.

Each section is a list of HTML fragments (every text from the data or the model escaped) and `Figure`s; most
also return what they found, for the document's `findings`. `ModelFacts` is what they read about the model,
the same whether it comes from a trained run or a saved bundle.
"""

from __future__ import annotations

import dataclasses
import html
from dataclasses import dataclass

import numpy as np
import pandas as pd

from finmodels.data.tasks import ANOMALY, BINARY, MULTICLASS, ORDINAL, REGRESSION, get_task
from finmodels.delivery.data_quality import data_section, run_categories  # noqa: F401 (document.py imports data_section here)
from finmodels.delivery.html import Figure, bullets, html_table, paragraph, plain_value
from finmodels.errors import DataError, FinModelsError
from finmodels.models.training.blend import blend_weights, network_settings, network_title
from finmodels.models.training.members import epochs_summary

NETWORK = "Neural network"
REASON_ROWS = 3
# Whom the document's rows are, per task kind: (the intended use's clause, who is given reason codes, the limit of
# the training data's period). 'Declined applicants' only for a decision on applicants; a rating run rates companies.
_SUBJECTS = {
    BINARY: ("with the reason codes below given to each declined applicant", "Each declined applicant",
             "the lending policy of its training data: applicants declined then have no outcome (reject inference is "
             "not done)"),
    ORDINAL: ("with the reason codes below given with each rating", "Each rated company or borrower",
              "the rating practice of its training data: the agencies, sectors and years it covers"),
    MULTICLASS: ("with the reason codes below given with each class", "Each classified row",
                 "the population of its training data"),
    REGRESSION: ("with the reason codes below given with each estimate", "Each estimated row",
                 "the population of its training data: loans that have not ended yet have no outcome"),
    ANOMALY: ("with the reason codes below given with each flagged row", "Each flagged row",
              "the population of its training data"),
}


def subjects(kind: str) -> tuple[str, str, str]:
    """(intended use's clause, who gets reason codes, what the training data's period limits) for a task kind."""
    return _SUBJECTS.get(kind, _SUBJECTS[MULTICLASS])


@dataclass
class ModelFacts:
    """What the document says about a model, the same whether it comes from a run or a bundle."""

    kind: str
    task: str
    config: object  # TrainConfig
    event_label: str
    features: list[str]
    preprocessor: object
    metrics: dict
    baselines: dict  # name -> metrics
    predict: object  # frame -> scores
    source: object  # the TrainingResult or LoadedBundle
    settings: object | None = None
    epochs_run: str | None = None  # '35', or '15-49 each, 10 networks'
    test_rows: int | None = None

    @property
    def target(self) -> str | None:
        return self.config.target


def model_facts(source) -> ModelFacts:
    """ModelFacts of a TrainingResult or a LoadedBundle."""
    if hasattr(source, "manifest"):
        config = source.train_config()
        return ModelFacts(source.kind, source.task, config, source.event_label, list(source.features),
                          source.preprocessor, dict(source.metrics), dict(source.manifest.get("baselines") or {}),
                          source.predict, source, settings=source.settings)
    return ModelFacts(source.kind, source.config.task, source.config, source.event_label, list(source.features),
                      source.preprocessor, dict(source.metrics),
                      {k: dict(b.metrics) for k, b in (source.baselines or {}).items()}, source.predict, source,
                      settings=getattr(source, "settings", None), epochs_run=epochs_summary(source.history),
                      test_rows=len(source.split.test))


def purpose_section(facts: ModelFacts, *, purpose: str | None, threshold: float | None,
                    threshold_note: str | None = None, costs=None) -> list[str]:
    """The model's purpose, task, target and decision rule; `threshold_note` says where the threshold came from
    (default: that it is the user's choice on the Evaluate page), `costs` (a CostMatrix) what each mistake costs."""
    from finmodels.delivery.provenance import costs_phrase

    from finmodels.data.targets import event_name

    task = get_task(facts.task)
    parts = [paragraph(purpose) if purpose else paragraph(f"{task.label}: {task.description}")]
    items = [f"Task: {task.label} ({facts.kind}).", f"Target: '{facts.target or '(none)'}'."]
    if facts.kind == BINARY:
        items.append(f"Risk event: {event_name(facts.target, facts.event_label)}; the model gives its probability "
                     "per applicant or account.")
        note = threshold_note or "the threshold is the user's choice (Evaluate page, cost matrix)"
        items.append(f"Decision: rows scored at or above {threshold:.3g} are declined (flagged); {note}"
                     + (f"; {costs_phrase(costs, facts)}." if costs is not None else "."))
    items += ["Intended use: ranking and deciding on rows like the training rows (same population, product and "
              f"period), {subjects(facts.kind)[0]}.",
              "Not intended for: populations, products or periods the training data does not cover, or automated "
              "decisions without a person reviewing the reason codes."]
    return parts + [bullets(items)]


def methodology_section(facts: ModelFacts) -> list[str]:
    from finmodels.models.architectures import get_architecture

    config = facts.config
    spec = get_architecture(config.arch)
    pre = facts.preprocessor
    weights = blend_weights(facts.source)
    parts = [paragraph(f"Architecture: {spec.label}. {spec.description}") if not weights else paragraph(
        f"Architecture: {network_title(config.arch, weights)}, weighted on out-of-fold predictions. " +
        " ".join(f"{get_architecture(a).label}: {get_architecture(a).description}" for a in weights))]
    rows = network_settings(config, weights)
    values = {k: v for k, v in dataclasses.asdict(config).items()
              if k in ("epochs", "patience", "batch_size", "learning_rate", "lr_schedule", "class_weight", "seed",
                       "test_size", "valid_size", "split")}
    settings = facts.settings
    if settings is not None:
        values.update(batch_size=settings.batch_size, learning_rate=settings.learning_rate,
                      lr_schedule=settings.lr_schedule)
    if facts.epochs_run is not None:
        values["epochs run (early stopping)"] = facts.epochs_run
    rows.update(values)
    parts.append(html_table(pd.DataFrame({"setting": list(rows), "value": [plain_value(v) for v in rows.values()]})))
    prep = getattr(settings, "preprocessing", None) or config.preprocessing
    items = input_kinds(pre, run_categories(facts))
    if prep is not None:
        pieces = (f"piecewise-linear encoding with {prep.piecewise_knots} quantile knots (up to {prep.target_knots} "
                  "at the target's thresholds)" if prep.piecewise_knots else "no piecewise-linear encoding")
        codes = (f"one-hot codes for whole numbers with at most {prep.code_levels} values" if prep.code_levels
                 else "no one-hot codes for whole numbers")
        items.append(f"Numbers: {prep.scaler} scaling, {pieces}, {codes}, missing-value indicators "
                     f"{'on' if prep.missing_indicators else 'off'}.")
    summary = pre.encoding_summary() if hasattr(pre, "encoding_summary") else None
    if summary:
        items.append(summary)
    items += ["The preprocessing is fitted on the training rows only, then applied unchanged to validation, test "
              "and new rows.",
              training_text(config, facts.settings, weights, kind=facts.kind),
              "Baselines: logistic regression and gradient boosting on the same inputs, and (binary tasks) a credit "
              "scorecard on the raw columns, all trained on the same training and validation rows."]
    return parts + ["<h3>Preprocessing and choices</h3>", bullets(items)]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def input_kinds(pre, categories) -> list[str]:
    """The inputs by how they are encoded: numbers, and categories (text columns, and numbers the analyst set to
    'categorical', which are codes, not text), one-hot encoded."""
    numeric, categorical = list(getattr(pre, "numeric", [])), list(getattr(pre, "categorical", []))
    coded = [c for c in categorical if c in set(categories)]
    text = [c for c in categorical if c not in set(coded)]
    kinds = [f"{', '.join(names)} ({what})" for names, what in (
        (text, "text"), (coded, "numeric codes set to 'categorical'")) if names]
    return [f"{_count(len(numeric), 'numeric input')}: {', '.join(numeric) or 'none'}.",
            f"{_count(len(categorical), 'categorical input')}, one-hot encoded (levels unseen in training ignored): "
            f"{'; '.join(kinds) or 'none'}."]


def training_text(config, settings, weights: dict, *, kind: str) -> str:
    """How the network was fitted: one network stopped early on the validation rows, or each architecture's
    cross-fitted networks averaged (and blended by their out-of-fold weights); anomaly detection fits one network
    whatever the setting (`tabular.member_count`)."""
    from finmodels.models.training.tabular import member_count

    members = member_count(settings, kind) if settings is not None else 1
    if members == 1:
        return ("Training: the network is fitted on the training rows; the validation rows stop it early (patience "
                f"{config.patience} epochs) and the best epoch's weights are kept; the test rows are used only for "
                "the metrics below.")
    blended = (" The architectures' averages are blended by the weights above, chosen by ensemble selection on "
               "the out-of-fold predictions.") if weights else ""
    return (f"Training: each architecture's network is the average of {members} networks cross-fitted on the "
            f"training and validation rows: the rows are cut into {members} parts, and each network learns from "
            f"{members - 1} of them and stops early on the other (patience {config.patience} epochs; the best "
            f"epoch's weights are kept), so every row has a prediction from a network that never learned from it."
            f"{blended} The test rows are used only for the metrics below.")


def performance_section(facts: ModelFacts, frame: pd.DataFrame, scores, outcomes, *, seed: int) -> tuple[list[str], dict]:
    from finmodels.evaluation.metrics import binary_metrics, comparison_table

    found: dict = {}
    parts = [paragraph("Test metrics on the run's held-out rows, which neither the network nor the baselines saw in "
                "training:"),
             html_table(comparison_table(facts.metrics, facts.baselines), index=True)]
    found["test"] = {NETWORK: dict(facts.metrics), **facts.baselines}
    if facts.kind != BINARY:
        return parts, found
    model = _run_scorecard(facts)
    if model is None and outcomes is not None and facts.target in frame.columns:
        model = _fitted_scorecard(facts, frame, parts, found, seed=seed)
    if model is not None:
        from finmodels.plots.scorecard import plot_iv

        parts.append("<h3>The scorecard challenger</h3>")
        c = model.config
        low, high = model.point_range()
        parts.append(paragraph(f"Optimal binning with monotonic event rates (missing and special values in bins of their "
                        f"own), weight of evidence, a logistic regression on it, and points: {c.points:g} at odds "
                        f"{c.odds:g}:1, {c.pdo:g} more to double the odds; rows score {low:.0f} to {high:.0f}."))
        parts.append(Figure(plot_iv(model.iv_table())))
        points = model.points_table()
        top = list(model.iv().index[:3])
        parts.append(paragraph(f"Points of the {len(top)} strongest features:"))
        parts.append(html_table(points[points["feature"].isin(top)].round({"woe": 3, "points": 1})))
        parts += [paragraph(n, "note") for n in model.sign_notes()]
    if outcomes is not None:
        known = ~np.isnan(outcomes)
        if known.sum() and len(np.unique(outcomes[known])) == 2:
            on_file = binary_metrics(outcomes[known].astype(int), scores[known])
            found["file"] = on_file
            parts.append(paragraph(f"On this file ({int(known.sum()):,} rows with an outcome; when it is the training "
                            f"file, most of these rows were seen in training): ROC AUC {on_file['roc_auc']:.4f}, KS "
                            f"{on_file['ks']:.4f}, Brier score {on_file['brier']:.4f}."))
    return parts, found


def _fitted_scorecard(facts: ModelFacts, frame: pd.DataFrame, parts: list, found: dict, *, seed: int):
    """A bundle keeps the scorecard's metrics, not the scorecard: it is fitted again on the file's training part of
    the run's split (the same rows when the file is the training file)."""
    from finmodels.models.scorecard import scorecard_run

    config = facts.config
    try:
        run = scorecard_run(frame, target=facts.target, event_label=facts.event_label, features=facts.features,
                            test_size=config.test_size, valid_size=config.valid_size, split=config.split, seed=seed,
                            categories=tuple(getattr(facts.preprocessor, "categorical", ())))  # codes set categorical
    except DataError as exc:
        parts.append(paragraph(f"No scorecard challenger could be fitted on this file: {exc}", "flag"))
        return None
    found["scorecard_on_file"] = dict(run.metrics)
    kept = "scorecard" in facts.baselines
    parts.append(paragraph(
        ("The scorecard's tables below come from a scorecard fitted again for this document" if kept else
         "The run has no scorecard baseline (it was saved before there was one), so one was fitted for this "
         "document") + f" on the file's training part of the run's split ({run.rows['train']:,} rows), tested on "
        f"its {run.rows['test']:,} held-out rows: ROC AUC {run.metrics['roc_auc']:.4f}, KS {run.metrics['ks']:.4f}. "
        "When the file is the training file these are the run's own rows."))
    return run.model


def _run_scorecard(facts: ModelFacts):
    baselines = getattr(facts.source, "baselines", None) or {}
    base = baselines.get("scorecard")
    return getattr(base, "model", None) if base is not None else None


def explainability_section(facts: ModelFacts, frame: pd.DataFrame, *, rows: int, seed: int) -> tuple[list[str], object]:
    from finmodels.explain.explanation import explain_bundle
    from finmodels.plots.explanation import plot_importance

    source = facts.source
    bundle = hasattr(source, "manifest")
    if bundle:
        explanation = explain_bundle(source, frame, rows=rows, seed=seed)
    else:  # a run explains its own held-out rows, against its training rows
        from finmodels.explain.explanation import explain_result

        explanation = explain_result(source, rows=rows, seed=seed)
    parts = [paragraph(explanation.summary(), "note"), Figure(plot_importance(explanation.importance())),
             "<h3>Reason codes</h3>",
             paragraph(f"{subjects(facts.kind)[1]} is given the columns that raised the {explanation.output_name} most. "
                f"The {REASON_ROWS} highest-scored explained rows:")]
    names = _row_names(facts, frame, explanation, bundle=bundle)  # 'line 22761 of the file · ID 22760', as Explain
    for i in explanation.rows_by_prediction()[:REASON_ROWS]:
        where = names[i][:1].upper() + names[i][1:] if names else "A held-out row"
        parts.append(paragraph(f"{where} ({explanation.output_name} {float(explanation.predictions[i]):.3f}):"))
        parts.append(bullets(explanation.reason_codes(i)))
    return parts, explanation


def _row_names(facts: ModelFacts, frame: pd.DataFrame, explanation, *, bundle: bool) -> list[str] | None:
    """The explained rows' line in the file, with the company (or borrower) and date when the table has them."""
    from finmodels.explain.labels import explained_row_labels, row_labels

    if not bundle:
        return explained_row_labels(facts.source, explanation)
    return None if explanation.row_ids is None else row_labels(frame, explanation.row_ids, target=facts.target)


def fairness_section(facts: ModelFacts, frame: pd.DataFrame, scores, outcomes, *, protected, threshold: float,
                     min_rows: int, data_name: str = "the file", merges: dict | None = None) -> tuple[list[str], list]:
    """Fairness by each protected column. A run's document counts the run's held-out test rows with the Governance
    page's function and rules (`run_fairness`: the same groups, minimum group size and refusals), so the page and
    the document give one answer; a bundle's counts all the file's rows, and says so. A refused column is named with
    its problems; the others are still analysed."""
    from finmodels.evaluation.fairness import fairness_by_column, held_out_note, input_notes, run_fairness
    from finmodels.plots.fairness import plot_adverse_impact, plot_group_rates

    if not protected:
        return [paragraph("No protected columns were given, so fairness was not analysed. Generate the document with "
                   "the protected columns (age, sex, nationality ...) to add this section.", "flag")], []
    if facts.kind != BINARY:
        return [paragraph("Fairness is analysed for the decisions of a binary model; this model makes none.")], []
    if hasattr(facts.source, "manifest"):  # a bundle: the rows of the file it is documented on
        found = fairness_by_column(frame, scores, protected=protected, outcomes=outcomes, threshold=threshold,
                                   min_rows=min_rows, event_label=facts.event_label or "event", merges=merges)
        for report in found.values():
            if not isinstance(report, FinModelsError):
                report.notes += input_notes(report.column, facts.features)
        rows = (f"On all {len(frame):,} rows of {data_name}; if the file holds the model's training rows, their "
                "rates and AUC are optimistic.")
    else:
        found = run_fairness(facts.source, protected=protected, threshold=threshold, min_rows=min_rows, merges=merges)
        rows = (f"{held_out_note(facts.test_rows)} The training and validation rows are not counted: the same rows "
                "and rules as the Governance page. Section 4 says which rows the threshold was chosen on.")
    parts = [paragraph(f"{rows} Decisions at threshold {threshold:.3g} by group: the approval rate, the adverse impact "
                "ratio against the most favoured group (under 0.8 fails the four-fifths rule), the true-positive rate "
                "(events declined), the false-positive rate (non-events declined) and the AUC within the group. "
                f"Groups need at least {min_rows} rows.")]
    for column, report in found.items():
        parts.append(f"<h3>{html.escape(column)}</h3>")
        if isinstance(report, FinModelsError):
            parts += [paragraph(f"'{column}' could not be analysed:", "flag"),
                      bullets(getattr(report, "problems", [str(report)]))]
            continue
        parts.append(html_table(fairness_table(report)))
        parts += [Figure(plot_adverse_impact(report)), Figure(plot_group_rates(report))]
        if report.flagged:
            parts.append(paragraph(f"Under four fifths of '{report.reference}' approval: {', '.join(report.flagged)}.",
                            "flag"))
        parts += [paragraph(n, "note") for n in report.notes]
    return parts, [r for r in found.values() if not isinstance(r, FinModelsError)]


FAIRNESS_HEADERS = {"group": "group", "rows": "rows", "events": "events", "approval_rate": "approval rate",
                    "adverse_impact_ratio": "adverse impact ratio", "tpr": "true positive rate",
                    "fpr": "false positive rate", "auc": "AUC within the group", "flagged": "four-fifths rule"}


def fairness_table(report) -> pd.DataFrame:
    """A fairness report's groups as a validator reads them: readable headers, rates in percent, the ratio to two
    decimals, the four-fifths rule as 'flagged' or empty."""
    table = report.table.reset_index()
    table = table.rename(columns={table.columns[0]: "group"})
    out = pd.DataFrame({"group": table["group"].astype(str), "rows": table["rows"].astype(int)})
    if table["events"].notna().any():
        out["events"] = table["events"].map(lambda v: "–" if pd.isna(v) else f"{int(v):,}")
    for name in ("approval_rate", "tpr", "fpr"):
        out[name] = table[name].map(lambda v: "–" if pd.isna(v) else f"{float(v):.1%}")
    out["adverse_impact_ratio"] = table["adverse_impact_ratio"].map(lambda v: "–" if pd.isna(v) else f"{v:.2f}")
    out["auc"] = table["auc"].map(lambda v: "–" if pd.isna(v) else f"{float(v):.3f}")
    out["flagged"] = ["flagged" if f else "" for f in table["flagged"]]
    order = [c for c in FAIRNESS_HEADERS if c in out.columns]
    return out[order].rename(columns=FAIRNESS_HEADERS)


def limitations_section(facts: ModelFacts, found: dict, problems, reports, *, threshold: float | None) -> list[str]:
    items = []
    test = found.get("test", {})
    network = test.get(NETWORK, {})
    headline = get_task(facts.task).headline_metric
    best = max(((k, v.get(headline)) for k, v in test.items() if k != NETWORK and v.get(headline) is not None),
               key=lambda kv: kv[1], default=None)
    if best is not None and network.get(headline) is not None:
        from finmodels.evaluation.labels import BASELINE_LABELS, METRIC_LABELS

        gap = network[headline] - best[1]
        label = METRIC_LABELS.get(headline, headline)
        items.append(f"Against the best baseline ({BASELINE_LABELS.get(best[0], best[0])}), the network's test "
                     f"{label} differs by {gap:+.4f}" + (": a simpler model does as well or better; justify the "
                                                         "network's extra complexity." if gap <= 0.005 else "."))
    if facts.test_rows is not None:
        items.append(f"The test metrics come from {facts.test_rows:,} held-out rows of one split; expect them to "
                     "vary by a few points of AUC between samples.")
    if problems:
        items.append(f"The data file has {_count(len(problems), 'quality finding')} (section 2).")
    items += [driver["message"] for driver in found.get("record_drivers", [])]
    psi = found.get("psi", {})
    shifted = [k for k, v in psi.items() if v >= 0.1]
    if "stability_of" in found and found["stability_of"] is None:
        items.append("Stability has not been measured on a population outside the training data (section 5): score "
                     "a recent file before relying on the model for new applicants.")
    if shifted:
        items.append(f"Inputs or score shifted against the training rows (PSI 0.1 or more): {', '.join(shifted)}.")
    for report in reports:
        if report.flagged:
            items.append(f"Adverse impact by '{report.column}': {', '.join(report.flagged)} under four fifths.")
    items += ["SHAP values explain the model's behaviour around the background rows; they are associations, "
              "not causes.",
              f"The model reflects the period and {subjects(facts.kind)[2]}."]
    monitoring = [
        "Monthly: PSI of the score and of every input against the training distribution stored with the model "
        "(above 0.1 investigate, above 0.25 act: recalibrate or retrain).",
        "Quarterly, as outcomes mature: ROC AUC, KS and calibration of the scored rows against the values in "
        "section 4; a fall of 0.03 in AUC or more is a trigger to retrain.",
        "Every month the model decides: approval rates and adverse impact ratios by protected group (section 7); "
        "a ratio under 0.8 goes to compliance.",
        "With each retrain: this document generated again, and the scorecard challenger compared again.",
    ]
    if threshold is not None:
        monitoring.insert(0, f"The decision threshold ({threshold:.3g}) and its cost matrix reviewed yearly.")
    return ["<h3>Limitations</h3>", bullets(items), "<h3>Monitoring plan</h3>", bullets(monitoring)]

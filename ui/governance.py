"""The Governance page's two parts: fairness of a binary run's decisions by protected columns, and the model
document a validator reads.

Fairness reads the run's held-out scores and outcomes (no network needed), so it runs here, once per run, columns
and threshold. The document scores, explains and re-fits, so it is built in a worker with the run's network.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from finmodels.data.tasks import BINARY, FORECAST
from finmodels.errors import FinModelsError
from finmodels.evaluation.fairness import (
    FOUR_FIFTHS,
    MIN_GROUP_ROWS,
    merge_mapping,
    run_group_counts,
    suggest_protected,
)
from finmodels.evaluation.protected import MERGED
from finmodels.plots.fairness import plot_adverse_impact, plot_group_rates
from finmodels.runtime import worker
from ui import decisions, governance_run, runtime
from ui import kept as kept_results
from ui.evaluate_views import percents
from ui.messages import show_error
from ui.widgets import remember, store

FAIRNESS = "governance_fairness"  # (run id, column, threshold) -> FairnessReport or the message it raised
MERGES = "governance_merges"  # {column: {value: group}}: the analyst's merges drawn this run, for the document
MERGED_WITH = "governance_merged_with"  # (run id, column, threshold) -> the merges its FAIRNESS entry was made with
MERGE_SLOTS = 3  # merged groups offered per column
DOCUMENT = "governance_document"  # ((run id, columns, threshold), file name, HTML) of the built document


def threshold(result) -> tuple[float, str]:
    """The run's decision threshold (`ui.decisions`: Evaluate's for this run, else its least-cost default) and a
    phrase saying which."""
    return decisions.decision_threshold(result)


def protected_columns(result) -> list[str]:
    """The protected columns chosen from the run's file (on the first visit, those that read like protected
    attributes: age, sex, marital status, nationality ...; `fairness.suggest_protected`)."""
    frame = result.frame
    columns = [str(c) for c in frame.columns if c != result.config.target]
    # the columns whose fairness is kept with the run (so a reload shows what the report holds), else the suggestions
    from ui.kept import kept

    suggested = [c for c in (kept(result).get("fairness") or {}) if c in columns] or \
        suggest_protected(frame, target=result.config.target)
    remember({"governance_protected": suggested})
    if any(c not in columns for c in st.session_state["governance_protected"]):  # another file's columns
        st.session_state["governance_protected"] = suggested
    chosen = st.multiselect("Protected columns", columns, key="governance_protected",
                            help="Age, sex, nationality ... They need not be model inputs: the analysis reads them "
                                 "from the run's rows.")
    store(["governance_protected"])
    return chosen


def merge_editor(result, column: str) -> dict[str, str]:
    """The analyst's merges of a protected column's values into larger groups ({value: group}, `merge_mapping`):
    up to MERGE_SLOTS groups, each of 2 values or more, named by the analyst or 'a / b'. None for a column analysed
    in bands (age: its small bands are merged already) or of 2 groups (a merge would leave one)."""
    counts = run_group_counts(result, column)
    if counts is None or len(counts) < 3:
        return {}
    keys = [(f"governance_merge_{column}_{i}", f"governance_merge_name_{column}_{i}") for i in range(MERGE_SLOTS)]
    remember(_kept_merges(result, column, keys, counts.index))
    groups, used = [], set()
    small = bool((counts < MIN_GROUP_ROWS).any())
    with st.expander(f"Merge groups of '{column}'", expanded=small or bool(st.session_state[keys[0][0]]),
                     icon=":material/merge:"):
        st.caption("Combine values into one group before the analysis (small groups into a larger one of the same "
                   "kind); the results, the report and the model document say which.")
        for i, (values, name) in enumerate(keys):
            left = [v for v in counts.index if v not in used]
            st.session_state[values] = [v for v in st.session_state[values] if v in left]
            chosen = st.multiselect(f"Group {i + 1}: values to combine", left, key=values,
                                    format_func=lambda v: f"{v} ({counts[v]:,} rows)")
            if len(chosen) < 2:
                break
            label = st.text_input(f"Name of group {i + 1}", key=name, placeholder=MERGED.join(chosen))
            groups.append((chosen, label or None))
            used.update(chosen)
    store([k for pair in keys for k in pair])
    try:
        return merge_mapping(groups)
    except FinModelsError as exc:
        show_error(exc)
        return {}


def _kept_merges(result, column: str, keys, values) -> dict:
    """The merge widgets' first values: the merges of the fairness kept with the run (so a reload shows the groups the
    report holds), else none."""
    from ui.kept import kept

    merged = (((kept(result).get("fairness") or {}).get(column) or {}).get("merged")) or {}
    groups: dict[str, list[str]] = {}
    for value, group in merged.items():
        if value in values:
            groups.setdefault(group, []).append(value)
    found = list(groups.items())
    defaults = {}
    for i, (values_key, name_key) in enumerate(keys):
        group, chosen = found[i] if i < len(found) else ("", [])
        defaults[values_key] = chosen
        defaults[name_key] = "" if group == MERGED.join(chosen) else group
    return defaults


def _report(result, column: str, at: float, merge: dict[str, str]):
    from finmodels.evaluation.fairness import run_fairness

    kept = st.session_state.setdefault(FAIRNESS, {})
    made = st.session_state.setdefault(MERGED_WITH, {})
    key = (result.run_id or id(result), column, at)
    if key not in kept or made.get(key) != merge:  # the model document calls the same function on the same rows
        try:
            kept[key] = run_fairness(result, protected=[column], threshold=at, merges={column: merge})[column]
        except FinModelsError as exc:
            kept[key] = exc
        made[key] = dict(merge)
        st.session_state.pop(kept_results.FAIRNESS_KEPT, None)  # keep the new report with the run
    return kept[key]


def group_table(report) -> pd.DataFrame:
    """The report's per-group table as shown: group first, rates as numbers, the four-fifths flag in words."""
    table = report.table.reset_index()
    table["four-fifths rule"] = ["flagged" if f else "" for f in table.pop("flagged")]
    return table.rename(columns={"approval_rate": "approval rate", "adverse_impact_ratio": "adverse impact ratio",
                                 "tpr": "true-positive rate", "fpr": "false-positive rate", "auc": "AUC"})


def fairness_section(result) -> None:
    st.subheader("Fairness by protected columns")
    if getattr(result, "kind", BINARY) != BINARY:
        st.info(f"Fairness is analysed for the decisions of a binary model (default, repayment, delinquency ...); "
                f"this run is {'an' if result.kind[:1] in 'aeiou' else 'a'} {result.kind} model. Train a binary run "
                "to compare groups.")
        return
    if result.frame is None:
        st.info("This run was read back from the workspace, which keeps no data. Load the file it was trained on "
                f"('{(result.data_info or {}).get('name', 'its data file')}') on the **Data** page to compare groups.")
        return
    at, said = threshold(result)
    st.caption(f"On the run's held-out test rows, declined at or above threshold {said}. The adverse impact ratio "
               f"is a group's approval rate over the most favoured group's; under {FOUR_FIFTHS:g} is flagged (the "
               f"four-fifths rule). Groups need at least {MIN_GROUP_ROWS} rows.")
    st.session_state[MERGES] = {}
    for column in protected_columns(result):
        st.markdown(f"#### {column}")
        merge = st.session_state[MERGES][column] = merge_editor(result, column)
        report = _report(result, column, at, merge)
        if isinstance(report, FinModelsError):
            show_error(report)
            continue
        st.caption(" · ".join(report.notes))
        if report.flagged:
            ratios = report.table["adverse_impact_ratio"]
            st.warning(f"Under four fifths of '{report.reference}' (the most favoured group): "
                       + ", ".join(f"'{g}' {ratios[g]:.2f}" for g in report.flagged) + ".", icon=":material/flag:")
        else:
            st.success(f"No group of '{column}' is approved at under four fifths of the rate of '{report.reference}'.")
        table, config = percents(group_table(report), ["approval rate", "true-positive rate", "false-positive rate"])
        config.update({"adverse impact ratio": st.column_config.NumberColumn(format="%.2f"),
                       "AUC": st.column_config.NumberColumn(format="%.3f")})
        st.dataframe(table, hide_index=True, key=f"governance_table_{column}", column_config=config)
        left, right = st.columns(2)
        left.plotly_chart(plot_group_rates(report), key=f"governance_rates_{column}")
        right.plotly_chart(plot_adverse_impact(report), key=f"governance_impact_{column}")


def document_section(result) -> None:
    st.subheader("Model document")
    if getattr(result, "kind", BINARY) == FORECAST:
        st.info("The model document covers models of table rows (default, rating, loss, anomaly); a forecast "
                "model's backtest is in its HTML report on the **Report** page.")
        return
    if result.frame is None:
        st.info("This run was read back from the workspace, which keeps no data. Load its training file on "
                "the **Data** page to write its document.")
        return
    protected = list(st.session_state.get("governance_protected") or []) if result.kind == BINARY else []
    at, _ = decisions.decision_threshold(result, page="Evaluate") if result.kind == BINARY else (None, None)
    costs, note = governance_run.decision(result, at) if result.kind == BINARY else (None, None)
    scored = governance_run.scored_population(result)
    st.caption("In SR 11-7 order: the model documented (run, champion or not, when trained, its bundle's SHA-256), "
               "purpose and intended use, data (shape, SHA-256, quality findings), methodology, performance against "
               "the baselines and the scorecard with the decision's costs, stability (PSI), explainability (SHAP, "
               "reason codes, partial dependence of the top three columns), fairness" + (f" by {', '.join(protected)}" if protected else "")
               + (" (with the merged groups above)" if any((st.session_state.get(MERGES) or {}).values()) else "")
               + ", limitations and monitoring plan. One self-contained HTML file.")
    st.caption(governance_run.scored_caption(scored))
    merges = {c: m for c, m in (st.session_state.get(MERGES) or {}).items() if m and c in protected}
    key = (result.run_id or id(result), tuple(protected), at, repr(sorted(merges.items())),
           (scored.name, scored.rows) if scored is not None else None, note, costs)
    if st.button("Write the model document", key="governance_document_build", icon=":material/description:"):
        name = (result.data_info or {}).get("name") or "the training file"
        try:
            document = runtime.run_job(
                worker.call_with, result, "finmodels.delivery.document:build_document",
                workspace=runtime.workspace_ref(), frame=result.frame, data_name=name, protected=protected,
                threshold=at, threshold_note=note, costs=costs, merges=merges, scored=scored,
                identity=governance_run.identity(result), label="the model document",
                spinner="Scoring, explaining and checking the data for the document (up to a minute)...")
        except FinModelsError as exc:
            show_error(exc)
            return
        st.session_state[DOCUMENT] = (key, f"model_document_{result.config.task}{_run_suffix(result)}.html",
                                      document.to_html(),
                                      [d["message"] for d in document.findings.get("record_drivers", [])])
    built = st.session_state.get(DOCUMENT)
    if built is not None and built[0] == key:
        flagged = built[3] if len(built) > 3 else []  # drivers that describe the record (in its limitations)
        if flagged:
            st.markdown("**Findings the document's limitations name**")
        for message in flagged:
            st.warning(message, icon=":material/flag:")
        st.download_button("Download the model document (HTML)", built[2].encode("utf-8"), file_name=built[1],
                           mime="text/html", key="governance_document_download", icon=":material/download:")
    elif built is not None:
        st.caption("The document was written for another run, other protected columns, another threshold or scored "
                   "file; write it again.")


def _run_suffix(result) -> str:
    """'_d09afcf5': the run in the downloaded file's name, so two runs' documents are told apart."""
    run_id = getattr(result, "run_id", None)
    return f"_{run_id[:8]}" if run_id and not str(run_id).startswith("local-") else ""

"""The report's sections of what an analyst kept with a run: fairness by protected column, what-ifs, the search,
and the decision (threshold and costs) set on Evaluate.

They read the plain JSON the workspace keeps (`finmodels.runtime.records.kept_results`), so a report written
after a restart of the server, or by another analyst, shows the same tables. Every name from the data is escaped.
"""

from __future__ import annotations

import datetime as dt
import html

import pandas as pd

from finmodels.models.search import TEST_ROWS_NOTE, trials_table

_TRIALS_SHOWN = 50
_CHANGES_SHOWN = 8


def _number(value, spec: str = ".3f") -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return format(value, spec)
    return str(value)


def _value(value) -> str:
    """A value as the analyst typed it: 15000.0 as 15000, 0.25 as 0.25, text as it is."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "missing" if value is None else str(value)


def _table(frame: pd.DataFrame) -> str:
    return frame.to_html(index=False, escape=True, na_rep="–")


def fairness_section(kept: dict) -> list[str]:
    """Per protected column: each group's approval rate, adverse impact ratio, error rates and AUC."""
    esc = html.escape
    parts = ["<h2>Fairness by protected columns</h2>"]
    for column, report in kept.items():
        rows = [{"group": group, "rows": g.get("rows"), "approval rate": _number(g.get("approval_rate"), ".1%"),
                 "adverse impact ratio": _number(g.get("adverse_impact_ratio"), ".2f"),
                 "true-positive rate": _number(g.get("tpr"), ".1%"), "false-positive rate": _number(g.get("fpr"), ".1%"),
                 "AUC": _number(g.get("auc")), "four-fifths rule": "flagged" if g.get("flagged") else ""}
                for group, g in report.get("groups", {}).items()]
        flagged = report.get("flagged") or []
        verdict = (f"Under four fifths of '{report.get('reference')}' (the most favoured group): "
                   + ", ".join(f"'{g}'" for g in flagged) if flagged else
                   f"No group is approved at under four fifths of the rate of '{report.get('reference')}'.")
        parts += [f"<h3>{esc(str(column))}</h3>",
                  f"<p>{esc(verdict)} Threshold {_number(report.get('threshold'), '.2f')}.</p>", _table(pd.DataFrame(rows))]
        parts += [f"<p class='note'>{esc(str(n))}</p>" for n in report.get("notes", [])]
    return parts


def _state(state: dict) -> str:
    decision = f" ({state['decision']})" if state.get("decision") else ""
    return f"{_number(state.get('score'), '.4g')}{decision}"


def whatif_section(kept: list) -> list[str]:
    """Each kept what-if: the row, its edits, the score and decision before and after, warnings and the nearest
    counterfactuals."""
    esc = html.escape
    parts = ["<h2>What-if analyses</h2>",
             f"<p class='note'>{len(kept)} what-if{'s' if len(kept) != 1 else ''} kept with this run, oldest first. "
             "Counterfactuals move one numeric input at a time, others held, within its training range.</p>"]
    for n, item in enumerate(kept, 1):
        changes = ", ".join(f"{c}: {_value(v.get('before'))} → {_value(v.get('after'))}"
                            for c, v in item.get("changes", {}).items())
        moved = "the decision changed" if item.get("decision_changed") else "the decision is the same"
        parts += [f"<h3>{n}. {esc(str(item.get('row_label', 'a row')))}</h3>",
                  f"<p>Edits: {esc(changes or 'none')}.<br>{esc(str(item.get('output', 'score')))} before "
                  f"{esc(_state(item.get('before', {})))}, after {esc(_state(item.get('after', {})))}: {moved}.</p>"]
        parts += [f"<p class='note'>Warning: {esc(str(w))}</p>" for w in item.get("warnings", [])]
        found = [cf for cf in item.get("counterfactuals", []) if cf.get("found")][:_CHANGES_SHOWN]
        if found:
            parts.append("<ul>" + "".join(f"<li>{esc(str(cf.get('note')))}</li>" for cf in found) + "</ul>")
    return parts


def search_section(kept: dict) -> list[str]:
    """The search that chose the run's settings: each trial's validation loss and settings, the best first named."""
    esc = html.escape
    trials = kept.get("trials", [])
    best = kept.get("best")
    line = (f"{len(trials)} trials of {kept.get('arch', 'the network')}'s settings with optuna"
            + (f"; the best was trial {best['number'] + 1} (validation loss {_number(best.get('value'), '.4f')})"
               if best else "; no trial finished") + ".")
    table = trials_table(trials[:_TRIALS_SHOWN])
    parts = ["<h2>Hyperparameter search</h2>", f"<p>{esc(line)}</p>", f"<p class='note'>{esc(TEST_ROWS_NOTE)}</p>",
             table.to_html(index=False, escape=True, na_rep="–", float_format=lambda v: f"{v:.4g}")]
    if len(trials) > _TRIALS_SHOWN:
        parts.append(f"<p class='note'>The first {_TRIALS_SHOWN} of {len(trials)} trials are shown.</p>")
    return parts


def kept_sections(kept: dict | None) -> list[str]:
    """HTML sections of what `kept` holds ({'fairness', 'whatif', 'search'}; any may be absent)."""
    kept = kept or {}
    parts = []
    if kept.get("fairness"):
        parts += fairness_section(kept["fairness"])
    if kept.get("whatif"):
        parts += whatif_section(kept["whatif"])
    if kept.get("search"):
        parts += search_section(kept["search"])
    return parts


# How a kept threshold came about, as `decision_record` is given it and as a sentence says it
CHOSEN = {"cost-minimising": "the least-cost threshold at these costs", "set by hand": "set by hand"}


def decision_record(threshold: float, costs, *, chosen: str, at: dt.datetime | None = None) -> dict:
    """What a run keeps of the decision set on Evaluate ('decision'): the threshold, the costs (a CostMatrix), how
    the threshold was chosen (a key of CHOSEN) and when (UTC, ISO 8601)."""
    from finmodels.errors import ConfigError

    if chosen not in CHOSEN:
        raise ConfigError(f"Unknown way of choosing a threshold '{chosen}'. Known: {', '.join(CHOSEN)}.")
    at = at or dt.datetime.now(dt.timezone.utc)
    return {"threshold": round(float(threshold), 4), "chosen": chosen, "kept_at": at.isoformat(timespec="seconds"),
            "costs": {"false_negative": float(costs.false_negative), "false_positive": float(costs.false_positive)}}


def kept_on(record: dict) -> str:
    """'2026-11-30 15:40 UTC': when the decision was kept."""
    try:
        return f"{dt.datetime.fromisoformat(record['kept_at']).astimezone(dt.timezone.utc):%Y-%m-%d %H:%M} UTC"
    except (KeyError, TypeError, ValueError):
        return "an earlier date"


def decision_phrase(record: dict, *, page: str = "Evaluate") -> str:
    """'set by hand on the Evaluate page, kept with this run on 2026-11-30 15:40 UTC'; `page` is how the page is
    named (the dashboard gives '**Evaluate**', in bold)."""
    how = CHOSEN.get(record.get("chosen"), "set")
    return f"{how} on the {page} page, kept with this run on {kept_on(record)}"


def kept_decision(kept: dict | None):
    """The report's Decision (finmodels.delivery.report) from what a run keeps, or None when it keeps none."""
    record = (kept or {}).get("decision")
    if not record:
        return None
    from finmodels.delivery.report import Decision
    from finmodels.evaluation.thresholds import CostMatrix

    return Decision(float(record["threshold"]), CostMatrix(**record["costs"]), decision_phrase(record), kept=True)


__all__ = ["CHOSEN", "decision_phrase", "decision_record", "fairness_section", "kept_decision", "kept_on",
           "kept_sections", "search_section", "whatif_section"]

"""Which model a document describes, and the decision rule it documents.

`ModelIdentity` is what ties a document to the model that scores: the run id, the model's name as the dashboard
names it (its blend), whether it is its workspace area's champion, when it was trained, the SHA-256 of its bundle
(the file Score and `python -m finmodels score` load) and its training data's fingerprint. The dashboard fills it
from the workspace; what it does not know is said as not known, never left out.

`decision_part` states the threshold with its costs in numbers, and its cost on the run's held-out test rows with
the plain caveat that the threshold was chosen on those same rows.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from finmodels.delivery.html import html_table, paragraph

__all__ = ["ModelIdentity", "costs_phrase", "decision_part", "identity_table", "model_name", "threshold_basis_note",
           "tuned_on_test_note"]


@dataclass(frozen=True)
class ModelIdentity:
    """What names the documented model. `champion` is the run id holding the area's champion alias ('' when the
    area has none; None when not known); `bundle_sha256` the SHA-256 of the run's bundle.zip as the workspace keeps
    it; `data_fingerprint` the training data's fingerprint as the workspace keeps it."""

    run_id: str | None = None
    name: str | None = None
    area: str | None = None
    champion: str | None = None
    trained: dt.datetime | None = None
    bundle_sha256: str | None = None
    data_name: str | None = None
    data_fingerprint: str | None = None

    @property
    def kept(self) -> bool:
        return bool(self.run_id) and not str(self.run_id).startswith("local-")

    @property
    def is_champion(self) -> bool | None:
        if self.champion is None or not self.kept:
            return None
        return self.champion == self.run_id


def model_name(facts) -> str:
    """'Blend of 0.80 × Dense network (MLP) + 0.20 × Deep & cross network (DCN-V2) for 'creditability' (Credit
    default)': the model as the dashboard names the run (ui.results.describe_run)."""
    from finmodels.data.tasks import get_task
    from finmodels.models.training.blend import blend_weights, network_title

    title = network_title(facts.config.arch, blend_weights(facts.source) or None)
    task = get_task(facts.task)
    return f"{title} for '{facts.target}' ({task.label})" if facts.target else f"{title} ({task.label})"


def _champion_text(identity: ModelIdentity) -> str:
    if not identity.kept:
        return "not known: the run is not kept in a workspace"
    area = f"area '{identity.area}'" if identity.area else "its workspace area"
    if identity.is_champion is None:
        return f"not known (the workspace of {area} was not read)"
    if identity.is_champion:
        return f"yes: the champion of {area} (promoted on the Runs page), the model Score uses by default"
    if identity.champion:
        return f"no: the champion of {area} is run {identity.champion[:8]}, another run"
    return f"no: {area} has no champion"


def identity_table(identity: ModelIdentity, facts, *, threshold: float | None, costs=None) -> str:
    """The table at the top of the document: the model, its run, champion or not, when trained, its bundle's hash,
    its training data and, for a binary model, the decision rule with its costs."""
    name = identity.name or model_name(facts)
    rows = {"model": name,
            "run id": (f"{identity.run_id} ({identity.run_id[:8]} on the Runs page)" if identity.kept else
                       "not known to this document: it was written from a bundle file or a run no workspace kept"),
            "champion": _champion_text(identity),
            "trained": f"{identity.trained.astimezone(dt.timezone.utc):%Y-%m-%d %H:%M} UTC" if identity.trained
            else "not known",
            "SHA-256 of the model bundle": identity.bundle_sha256 or "not known: the workspace keeps no bundle of it"}
    if identity.data_name or identity.data_fingerprint:
        rows["training data"] = f"{identity.data_name or 'its file'}" + (
            f", fingerprint {identity.data_fingerprint}" if identity.data_fingerprint else "")
    if threshold is not None:
        rows["decision"] = (f"declined at a score of {threshold:.2f} or more; " + costs_phrase(costs, facts)
                            if costs is not None else f"declined at a score of {threshold:.3g} or more")
    table = pd.DataFrame({"item": list(rows), "value": list(rows.values())})
    return paragraph("The model this document describes:") + html_table(table)


def costs_phrase(costs, facts) -> str:
    """'a missed 'bad' (false negative) costs 5, a false alarm (false positive: a declined applicant who would not
    be 'bad') costs 1'."""
    from finmodels.delivery.configuration import event_phrase

    event = event_phrase(facts.target, facts.event_label)
    return (f"a missed {event} (false negative) costs {costs.false_negative:g}, a false alarm (false positive: a "
            f"declined applicant who would not be {event}) costs {costs.false_positive:g}")


def tuned_on_test_note(rows: int) -> str:
    """The caveat of a threshold chosen on the rows its figures are measured on."""
    return (f"The threshold was chosen on these same {rows:,} held-out test rows, so its cost and the decisions' "
            "figures on them are optimistic: expect a higher cost on new rows.")


def threshold_basis_note(source, threshold: float, costs) -> tuple[str, str]:
    """(text, paragraph class) of where a run's least-cost threshold at `costs` was chosen: on rows outside the
    test rows (the figures on the test rows are then a fair estimate), or on the test rows themselves (a run kept
    before runs kept other scores: the old caveat); a hand-set threshold away from it is said to be one."""
    from finmodels.evaluation.threshold_basis import least_cost_threshold_of

    least = least_cost_threshold_of(source, costs)
    rows = int(least.on_test.confusion.sum())
    if least.basis.on_test:
        return tuned_on_test_note(rows), "flag"
    text = (f"The least-cost threshold at these costs, {least.threshold:.2f}, is chosen on {least.basis.phrase()}, "
            f"never on the {rows:,} test rows, so its figures above are a fair estimate of its cost on new rows.")
    if abs(threshold - least.threshold) >= 0.005:
        text += (f" The threshold used here, {threshold:.2f}, was set by hand: if it was set by looking at the test "
                 "rows' figures, they are optimistic for it.")
        return text, "flag"
    return text, "note"


def decision_part(facts, *, threshold: float, costs, chosen: str | None = None) -> list[str]:
    """'The decision rule' (a binary model): the threshold, the costs in numbers and, for a run, what deciding at the
    threshold does on its held-out test rows, and which rows the least-cost threshold was chosen on."""
    from finmodels.delivery.configuration import event_phrase
    from finmodels.evaluation.thresholds import decisions_at

    event = event_phrase(facts.target, facts.event_label)
    parts = ["<h3>The decision rule</h3>"]
    rule = {"threshold": f"{threshold:.2f}; rows scored at or above it are declined"}
    if chosen:  # 'the threshold is 0.14, the least-cost threshold at ...' -> 'the least-cost threshold at ...'
        rule["how it was chosen"] = re.sub(r"^the threshold (is|was) [0-9.]+,? ?", "", chosen)
    if costs is not None:
        rule[f"cost of a missed {event} (false negative)"] = f"{costs.false_negative:g}"
        rule["cost of a false alarm (false positive)"] = f"{costs.false_positive:g}"
    source = facts.source
    scores = getattr(source, "test_scores", None)
    if facts.test_rows is None or scores is None or costs is None:
        parts.append(html_table(pd.DataFrame({"item": list(rule), "value": list(rule.values())})))
        if costs is None:
            parts.append(paragraph("No costs were given with this threshold, so its expected cost is not stated.",
                                   "note"))
        return parts
    from finmodels.delivery.report import held_out_labels

    at = decisions_at(np.asarray(held_out_labels(source)), np.asarray(scores), threshold, costs=costs)
    rows = int(at.confusion.sum())
    rule.update({f"expected cost per row on the {rows:,} test rows": f"{at.cost:.3f}",
                 "rows declined": f"{at.flagged:.1%}", f"{event} caught (recall)": f"{at.recall:.1%}"})
    parts.append(html_table(pd.DataFrame({"item": list(rule), "value": list(rule.values())})))
    parts.append(paragraph(*threshold_basis_note(source, threshold, costs)))
    return parts

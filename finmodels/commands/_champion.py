"""The model a command works with, and the threshold it decides at: shared by score, whatif, fairness and document.

In place of a bundle file the word `champion` names the champion of a workspace area (`--area`, default
`default`): the run promoted on the Runs page, with the decision (threshold and costs) kept with it on the Evaluate
page. A binary model's decisions are then taken at that kept threshold unless `--threshold` is given; `Threshold`
says which of the three it was (kept with the run, given with --threshold, the model's default), in words for the
text output and as `threshold_source` / `threshold_note` (and the kept `costs`) for `--json`.
"""

from __future__ import annotations

from dataclasses import dataclass

from finmodels.delivery.bundle_identity import bundle_run

from finmodels.data.tasks import ANOMALY, BINARY

CHAMPION = "champion"

# Where a threshold came from, as `Threshold.origin` and the JSON's `threshold_source` say it
KEPT, GIVEN, DEFAULT = "kept", "given", "default"


def add_area_argument(parser) -> None:
    """`--area`: the workspace area whose champion the word `champion` means."""
    parser.add_argument("--area", default="default",
                        help="workspace area whose champion `champion` means (default: default)")


def champion_bundle(area: str) -> tuple[bytes, object]:
    """The champion's bundle, and the decision kept with it on the Evaluate page (a report Decision, or None)."""
    from finmodels.delivery.kept import kept_decision
    from finmodels.runtime.records import kept_results
    from finmodels.runtime.workspace import Workspace, WorkspaceError

    space = Workspace(area=area)
    run_id = space.champion()
    if run_id is None:
        raise WorkspaceError(f"Workspace area '{area}' has no champion. Promote a run on the Runs page (or "
                             "`python -m finmodels runs` to see the runs), or give a bundle file before the data file.")
    return space.bundle_bytes(run_id), kept_decision(kept_results(space, run_id, kinds=("decision",)))


@dataclass(frozen=True)
class Model:
    """A loaded bundle, how the command names it ('the champion of area ...' or the path), and the decision kept
    with it (a report Decision of a binary champion, else None)."""

    bundle: object
    name: str
    decision: object = None
    champion: bool = False
    run_id: str | None = None  # the workspace run (the champion's, or the one a downloaded bundle names)
    raw: bytes = b""  # the bundle's bytes, for its SHA-256 in a document


def load_model(source: str, *, area: str) -> Model:
    """The bundle at path `source`, or with `source` == 'champion' the champion of workspace `area` and its kept
    decision (WorkspaceError when the area has none)."""
    from finmodels.models.bundle import load_bundle

    if source != CHAMPION:
        from pathlib import Path

        raw = Path(source).read_bytes() if Path(source).is_file() else b""
        bundle = load_bundle(raw or source)
        return Model(bundle, str(source), _stamped_decision(bundle), run_id=bundle_run(bundle).get("run_id"), raw=raw)
    raw, decision = champion_bundle(area)
    bundle = load_bundle(raw)
    from finmodels.runtime.workspace import Workspace

    return Model(bundle, f"the champion of area '{area}'", decision if bundle.kind == BINARY else None,
                 champion=True, run_id=Workspace(area=area).champion(), raw=raw)


def _stamped_decision(bundle):
    """The decision a bundle downloaded from the dashboard carries (finmodels.delivery.bundle_identity): a binary
    model scored from the file decides as its run did on the Evaluate page; None for a bundle without one."""
    from finmodels.delivery.bundle_identity import bundle_decision
    from finmodels.delivery.report import Decision
    from finmodels.evaluation.thresholds import CostMatrix

    found = bundle_decision(bundle) if bundle.kind == BINARY else None
    if found is None:
        return None
    run = bundle_run(bundle).get("run_id")
    where = f"written into the bundle when run {run[:8]} was downloaded" if run else "written into the bundle"
    return Decision(float(found["threshold"]), CostMatrix(**(found.get("costs") or {})),
                    f"{found.get('source') or 'kept with the run'}, {where}", kept=True)


@dataclass(frozen=True)
class Threshold:
    """The threshold a command passes on (`value`; None: the model's default) and where it came from."""

    value: float | None
    origin: str
    decision: object = None
    default_reason: str = "the default"

    def phrase(self, used: float | None) -> str | None:
        """'0.31 (set by hand on the Evaluate page, kept with this run on ...)', '0.4 (given with --threshold)',
        '0.5 (the default)'; None when no threshold was used (a regression model)."""
        if used is None:
            return None
        if self.origin == KEPT:
            return f"{used:.2f} ({self.decision.chosen})"
        return f"{used:.4g} ({'given with --threshold' if self.origin == GIVEN else self.default_reason})"

    def line(self, used: float | None) -> str | None:
        """'Decisions at threshold 0.31 (set by hand on the Evaluate page, kept with this run on ...).'"""
        phrase = self.phrase(used)
        return None if phrase is None else f"Decisions at threshold {phrase}."

    def to_dict(self, used: float | None) -> dict:
        """`threshold_source` (kept, given, default), `threshold_note` (the line) and, when kept, the `costs`."""
        out = {"threshold_source": self.origin if used is not None else None, "threshold_note": self.line(used)}
        if self.origin == KEPT:
            costs = self.decision.costs
            out["costs"] = {"false_negative": float(costs.false_negative),
                            "false_positive": float(costs.false_positive)}
        return out


def choose_threshold(model: Model, given: float | None) -> Threshold:
    """`--threshold` when given, else the threshold kept with a binary champion, else the model's default."""
    if given is not None:
        return Threshold(float(given), GIVEN)
    if model.decision is not None:
        return Threshold(float(model.decision.threshold), KEPT, model.decision)
    if model.bundle.kind == ANOMALY:
        reason = "the default: the training scores' 99th percentile"
    elif model.champion:
        reason = "the default: no decision was kept with the champion on the Evaluate page"
    else:
        reason = "the default"
    return Threshold(None, DEFAULT, default_reason=reason)


__all__ = ["CHAMPION", "DEFAULT", "GIVEN", "KEPT", "Model", "Threshold", "add_area_argument", "champion_bundle",
           "choose_threshold", "load_model"]

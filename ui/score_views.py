"""The Score page's scored file: scored once per model and file in a worker, decided again at once when the
threshold moves (the scores and SHAP values do not depend on it), and kept for the session's workspace area in
this server's memory, never on disk, as ui/session.py keeps uploads: a page switch, a reload and the Report
page find the last scored file's results again. A file scored with an uploaded bundle keeps that bundle (its bytes
and manifest, not its network) beside it, so a reload shows its results without asking for the bundle. Up to
EXPLAIN_UPFRONT of the highest-scored flagged rows are explained while scoring; the other flagged rows on request,
in worker jobs of EXPLAIN_CHUNK rows under a progress bar with a Cancel button (`ExplainingRest`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
import streamlit as st

from finmodels.data.tasks import get_task
from finmodels.delivery.export import to_csv_bytes
from finmodels.delivery.scoring_cells import read_for_scoring
from finmodels.delivery.scoring_checks import FileRefused
from finmodels.errors import FinModelsError
from finmodels.runtime import worker
from ui import caches, runtime, score_checks, state
from ui.messages import show_error
from ui.results import event_phrase
from ui.session import AreaMemory, area

EXPLAIN_UPFRONT = 500  # flagged rows explained while scoring (about 15 ms a row for the default blend here)
EXPLAIN_CHUNK = 1_000  # rows per job when the other flagged rows are explained on request
KEPT_AREAS = 32  # areas whose last scored file this server keeps
_KEPT = AreaMemory(KEPT_AREAS)  # area -> {"model", "file", "name", "scored", "bundle": (name, bundle, bytes) or None}
EXPLAINING = "_score_explaining"  # this session's ExplainingRest, while and after the other flagged rows are explained
_BUNDLE_NAME = "_score_bundle_name"  # the file name of the bundle this session scores with


def model_key(model) -> str:
    """What names a model across page runs and reloads: its run id, or the uploaded bundle's content (the same
    bundle uploaded again is the same model)."""
    raw = _bundle_bytes(model)
    if raw is not None:
        return "bundle:" + hashlib.sha256(raw).hexdigest()[:16]
    return str(getattr(model, "run_id", None) or id(model))


def kept_bundle() -> tuple[str, object, bytes] | None:
    """(file name, LoadedBundle, its bytes) of the uploaded bundle the area's last file was scored with, kept with
    that file in this server's memory (never on disk), so a reload shows its results; None when a run scored it."""
    return (_kept() or {}).get("bundle")


def bundle_model():
    """The Score page's bundle: the one uploaded in this session, else, after a reload, the one kept with the area's
    last scored file (said in a caption); None (the page stops) when there is neither."""
    upload = st.file_uploader("Model bundle saved earlier (.zip)", type=["zip"], key="score_bundle_upload")
    if upload is not None:
        model = caches.loaded_bundle(upload)
        if model is not None:
            st.session_state[_BUNDLE_NAME] = upload.name
            st.success(f"Loaded: {bundle_label(model)}; it expects {len(model.features)} columns.")
        return model
    kept = kept_bundle()
    if kept is None:
        return None
    name, model, raw = kept
    st.session_state[state.LOADED_BUNDLE] = (f"kept:{name}", model, raw)
    st.session_state[_BUNDLE_NAME] = name
    st.caption(f"Bundle **{name}** ({bundle_label(model)}): the one your area's last file was scored "
               "with, kept with its results in the server's memory (never on disk) until the server restarts. "
               "Upload a bundle above to score with another.")
    return model


def bundle_label(model) -> str:
    """'Blend of ... for 'creditability' (Credit default) · run d09afcf5, the champion of area desk-a': the model as
    its run was named when the bundle was downloaded (a blend, not its first network), else as the bundle names it."""
    from finmodels.delivery.bundle_identity import bundle_name, bundle_run

    run = bundle_run(model)
    config = model.train_config()
    text = f"{bundle_name(model)} for '{config.target}' ({get_task(config.task).label})"
    if run.get("run_id"):
        text += f" · run {run['run_id'][:8]}" + (f", the champion of area {run['area']}" if run.get("champion")
                                                  and run.get("area") else "")
    return text


def bundle_threshold(model=None) -> float | None:
    """Where the threshold starts for a bundle: the kept scored file's (a reload), else the one written into the bundle
    when it was downloaded (its run's, as every page used it), else this session's choice."""
    from finmodels.delivery.bundle_identity import bundle_decision

    chosen = st.session_state.get(state.THRESHOLD)
    found = _kept()
    if chosen is None and found is not None and found.get("bundle") is not None:
        return found["scored"].threshold
    stamped = bundle_decision(model) if model is not None else None
    return float(stamped["threshold"]) if stamped is not None else chosen


def _kept() -> dict | None:
    return _KEPT.get(area())


def area_scored() -> dict | None:
    """The area's last scored file as this page keeps it in the server's memory ({'name', 'scored', 'bundle', ...}):
    what the Governance page's document compares with the training rows."""
    return _kept()


def _keep(found: dict) -> None:
    _KEPT.put(area(), found)


def _bundle_bytes(model) -> bytes | None:
    loaded = st.session_state.get(state.LOADED_BUNDLE)
    return loaded[2] if loaded is not None and loaded[1] is model else None


def _score(upload, model, key: str, threshold: float | None) -> dict | None:
    try:
        frame = read_for_scoring(upload.getvalue())
        job = {"label": f"scoring {upload.name}", "threshold": threshold, "explain_top": EXPLAIN_UPFRONT,
               "spinner": f"Scoring {len(frame):,} rows, explaining up to {EXPLAIN_UPFRONT} of the highest-scored "
                          "flagged rows and checking stability (seconds; moving the threshold afterwards is "
                          "instant)..."}
        raw = _bundle_bytes(model)
        if raw is not None:
            scored = runtime.run_job(worker.score_bundle, raw, frame, **job)
        else:
            scored = runtime.run_job(worker.score_run, model, frame, workspace=runtime.workspace_ref(), **job)
    except FileRefused as refused:
        score_checks.show_refused(refused)
        return None
    except FinModelsError as exc:
        show_error(exc)
        return None
    bundle = None if raw is None else (st.session_state.get(_BUNDLE_NAME, "bundle.zip"), model, raw)
    found = {"model": key, "file": upload.file_id, "name": upload.name, "scored": scored, "bundle": bundle}
    _keep(found)
    return found


def scored_file(upload, model, *, threshold: float | None):
    """`(file name, ScoredFile at threshold, kept)` of the uploaded file scored by `model`: scored in a worker only
    when the file or the model changes, else decided again at `threshold` at once; without an upload, the area's
    last scored file of this model (`kept` True). None (after a message when scoring failed) when there is none."""
    key = model_key(model)
    found = _kept()
    if upload is not None and (found is None or found["model"] != key or found["file"] != upload.file_id):
        found = _score(upload, model, key, threshold)
    if found is None or found["model"] != key:
        return None
    scored = found["scored"]
    if threshold is not None and scored.threshold is not None and scored.threshold != threshold:
        scored = found["scored"] = scored.at_threshold(threshold)
    st.session_state[state.SCORED] = ((found["file"], key, threshold), found["name"], scored)
    return found["name"], scored, upload is None


def last_scored(result) -> tuple[str, object] | None:
    """(file name, ScoredFile) last scored with `result` in this session, else in its area on this server (a
    reload, another tab), for the Report page."""
    kept = st.session_state.get(state.SCORED)
    if kept is not None:
        return kept[1], kept[2]
    found = _kept()
    if found is not None and found["model"] == str(getattr(result, "run_id", None)):
        return found["name"], found["scored"]
    return None


@dataclass
class ExplainingRest:
    """The flagged rows not explained up front, being explained on request: one worker job of EXPLAIN_CHUNK rows at
    a time, highest score first, each chunk's reason codes written into the kept scored file as it ends. The page
    advances it (`advance`, from a fragment that polls); `cancel` stops it and keeps the chunks already written."""

    key: tuple  # (model key, file id) of the scored file being explained
    name: str
    pending: np.ndarray  # positions not yet sent to a worker
    total: int
    before: int = 0  # flagged rows explained before it started (up front)
    done: int = 0  # rows whose reason codes it wrote
    job: object | None = None  # the runner's job of the chunk being explained now
    sent: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    cancelled: bool = False
    error: BaseException | None = None

    @property
    def running(self) -> bool:
        return not self.cancelled and self.error is None and (self.job is not None or len(self.pending) > 0)

    def advance(self, model) -> None:
        """Write the chunk whose job ended into the kept scored file, then send the next one to a worker."""
        if self.job is not None and not self.job.running:
            job, self.job = self.job, None
            try:
                parts = job.outcome()
            except FinModelsError as exc:
                self.error = exc
                return
            found = _kept()
            if found is None or (found["model"], found["file"]) != self.key:  # another file scored meanwhile
                self.cancelled = True
                return
            found["scored"] = found["scored"].with_explained(parts)
            self.done += len(self.sent)
        if self.job is None and self.running:
            self.sent, self.pending = self.pending[:EXPLAIN_CHUNK], self.pending[EXPLAIN_CHUNK:]
            table, raw, label = _kept()["scored"].table, _bundle_bytes(model), f"explaining {self.name}"
            if raw is not None:
                self.job = runtime.runner().submit(worker.explain_scored_bundle, raw, table, self.sent, label=label)
            else:
                self.job = runtime.runner().submit(worker.explain_scored_run, model, table, self.sent, label=label,
                                                   workspace=runtime.workspace_ref())

    def cancel(self) -> None:
        """Send no more chunks; the chunk in a worker now is dropped (taken off the queue if it waits)."""
        self.cancelled = True
        if self.job is not None:
            self.job.stop()
            self.job = None


def explain_rest(model, name: str, scored) -> None:
    """Offer to explain the flagged rows not explained up front, with the time it should take; when asked, explain
    them in worker jobs under a progress bar with a Cancel button, keeping each chunk as it comes; once cancelled,
    say how many flagged rows have their reason codes and how many do not."""
    found = _kept() or {}
    key = (found.get("model"), found.get("file"))
    work = st.session_state.get(EXPLAINING)
    if work is not None and work.key != key:  # another model or file: that work is over
        work.cancel()
        st.session_state.pop(EXPLAINING)
        work = None
    if work is not None and work.running:
        _live(model, work)
        return
    rest = scored.unexplained_flagged()
    if work is not None and work.error is not None:
        show_error(work.error)
    elif work is not None and work.cancelled and len(rest):
        explained = scored.flagged - len(rest)
        st.info(f"Explaining stopped: {explained:,} of the {scored.flagged:,} flagged rows have their reason codes "
                f"(the highest-scored); the other {len(rest):,} have none yet. Explain them with the button below.",
                icon=":material/cancel:")
    if not len(rest):
        return
    done = max(scored.explained_rows, 1)
    per_row = sum(p.seconds for p in scored.explained) / done
    minutes = max(1, round(per_row * len(rest) / 60))
    if st.button(f"Explain the other {len(rest):,} flagged rows (about {minutes} min)", key="score_explain_rest",
                 icon=":material/psychology:", help=f"Reason codes for every flagged row, highest score first, "
                 f"{EXPLAIN_CHUNK:,} rows per worker job; Cancel stops it and keeps the rows explained so far. Leaving "
                 "the page pauses it; a reload stops it (the rows explained so far are kept)."):
        st.session_state[EXPLAINING] = ExplainingRest(key, name, rest, len(rest), before=scored.flagged - len(rest))
        st.rerun()  # the page again without this button: the progress bar and Cancel in its place


def _live(model, work: ExplainingRest) -> None:
    @st.fragment(run_every=1.0)
    def watch():
        work.advance(model)
        if not work.running:
            st.rerun()  # the whole page: the table with every chunk's reason codes, and the polling stops
        waiting = "wait for a free worker" if work.job is not None and work.job.queued else "are explained in a worker"
        st.progress(work.done / work.total, text=f"Reason codes for {work.before + work.done:,} of the "
                    f"{work.before + work.total:,} flagged rows so far (highest score first); the next "
                    f"{len(work.sent):,} {waiting}...")
        if st.button("Cancel", key="score_explain_cancel", icon=":material/cancel:",
                     help="Stop explaining: the rows explained so far keep their reason codes."):
            work.cancel()
            st.rerun()

    watch()


def scored_rows(model, name: str, scored, names: dict[str, str]) -> None:
    """The scored rows, each named by its line in the file (the header is line 1) as the Data page and its messages
    name rows, highest score first while flagged rows wait for their reason codes; and their download, whose first
    column is that line. `names` are the decisions as the page names them (`decision_names`)."""
    marked = scored.check_column in scored.table and (scored.table[scored.check_column] != "").any()
    check = [scored.check_column] if marked else []
    shown = [scored.score_column, *[c for c in ("decision", *check, "reason codes") if c in scored.table],
             *model.features]
    lines = scored.by_line()
    table = lines[[c for c in dict.fromkeys(shown) if c in lines]]
    # a numeric column whose unreadable cells show what the file held ('12 months', a code 'Univrsity') is shown as text
    table = table.astype({c: "string" for c in table.columns if c in scored.checks.cells or table[c].dtype == object})
    if names:
        table = table.assign(decision=table["decision"].map(names))
    order = "in the file's order"
    if len(scored.unexplained_flagged()):  # the rows explained up front are the highest-scored: show them first
        table = table.sort_values(scored.score_column, ascending=False, kind="stable")
        order = "highest score first"
    st.caption(f"Rows {order}, each named by its line in the file (the header is line 1), as on the Data page.")
    st.dataframe(table, key="score_table", height=320,
                 column_config={scored.score_column: st.column_config.NumberColumn(format="%.3f"),
                                scored.check_column: st.column_config.TextColumn(width="large")})
    st.download_button("Download the scored rows (CSV)", to_csv_bytes(lines.reset_index()), file_name=f"scored_{name}",
                       mime="text/csv", key="score_download_csv", icon=":material/download:",
                       help="The first column is each row's line in the file; the 'check' column names the cells "
                            "of a row the model could not read as written. Cells a spreadsheet would run as a "
                            "formula (=, +, -, @) are quoted.")


def decision_names(model, scored) -> dict[str, str]:
    """The decision column's values as the other pages name them: 'flagged: loan_status = 1', 'not flagged'."""
    if scored.event is None:
        return {}
    target = model.config.target if hasattr(model, "config") else model.target  # a run, or a loaded bundle
    phrase = event_phrase(target, scored.event) if scored.event != "unusual" else "unusual"
    return {scored.event: f"flagged: {phrase}", f"not {scored.event}": "not flagged"}


def stability_text(stability, moderate: float, major: float) -> str:
    """The caption above the PSI chart: the bands, and the largest shifts, or that no column shifted."""
    bands = f"PSI below {moderate} is stable, {moderate} to {major} a moderate shift, above {major} a major one. "
    worst = stability.iloc[1:]
    worst = worst[worst["psi"].round(2) > 0].head(3)
    if not len(worst):
        return bands + "No column shifted: every PSI rounds to 0.00."
    return bands + "Largest shifts: " + ", ".join(f"'{r.name}' {r.psi:.2f}" for r in worst.itertuples()) + "."

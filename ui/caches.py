"""What a session computes once and keeps until its inputs change: evaluation figures, the explanation, the
bundle for download, a bundle loaded on the Score page and the file scored there.

Each cache lives in `st.session_state` (one user's, never shared) under a key named in ui/state.py. Work that
needs the network (explaining, scoring, saving) is a job for a worker process (ui.runtime.run_job); a spinner
shows while it runs, and the project's own errors become messages (the function then returns None).
"""

from __future__ import annotations

import streamlit as st

from finmodels.data.reading import load_csv
from finmodels.delivery.report import run_figures
from finmodels.errors import FinModelsError
from finmodels.models.bundle import load_bundle
from finmodels.runtime import worker
from ui import runtime, state
from ui.messages import show_error


def evaluation_figures(result) -> dict:
    """The Evaluate page's figures of `result`, built on the first visit and reused until the run changes."""
    cached = st.session_state.get(state.FIGURES)
    if cached is None or cached[0] is not result:
        cached = (result, run_figures(result))
        st.session_state[state.FIGURES] = cached
    return cached[1]


def explanation(result, *, target_class: str | None = None):
    """The SHAP explanation of the current run (of `target_class` for a rating or multi-class run): the one kept with
    the run when it was explained before (ui.kept), else computed in a worker and kept with the run; None (after a
    message) when it cannot be."""
    explained = st.session_state.get(state.EXPLANATION)
    if explained is not None and (target_class is None or explained.target_class == target_class):
        return explained
    from finmodels.explain.stored import KeptExplanation
    from ui.kept import keep_explanation, kept_explanation

    explained = kept_explanation(result, target_class)  # computed before, in this tab or another, kept with the run
    if explained is not None and not isinstance(explained, KeptExplanation):  # with its rows: every view can be drawn
        st.session_state[state.EXPLANATION] = explained
        return explained
    if result.frame is None:
        st.info(missing_rows_text(result))
        return None
    try:
        explained = runtime.run_job(
            worker.explain_run, result, workspace=runtime.workspace_ref(), target_class=target_class,
            label="the explanation", spinner="Computing SHAP values on the test rows (seconds for one dense "
            "network, about ten times that for the default ten cross-fitted networks, up to a minute or more for a "
            "recurrent one)...")
    except FinModelsError as exc:
        show_error(exc)
        return None
    st.session_state[state.EXPLANATION] = explained
    keep_explanation(result, explained)  # for the Report in any tab, and this page after a reload
    return explained


def prepared_bundle(result) -> bytes | None:
    """The run's bundle when `bundle_for_download` has prepared it in this session."""
    kept = st.session_state.get(state.BUNDLE_BYTES)
    return kept[1] if kept is not None and kept[0] == (result.run_id or id(result)) else None


def bundle_for_download(result) -> bytes | None:
    """The run's bundle: from the workspace when it is kept there, else saved by a worker."""
    prepared = prepared_bundle(result)
    if prepared is not None:
        return prepared
    try:
        if result.run_id and not result.run_id.startswith("local-"):
            from ui.session import workspace

            prepared = workspace().bundle_bytes(result.run_id)
        else:
            prepared = runtime.run_job(worker.bundle_of, result, label="saving the bundle",
                                       spinner="Saving the model, its preprocessing and a background sample...")
        prepared = _stamped(result, prepared)
    except FinModelsError as exc:
        show_error(exc)
        return None
    st.session_state[state.BUNDLE_BYTES] = (result.run_id or id(result), prepared)
    return prepared


def _stamped(result, raw: bytes) -> bytes:
    """The bundle with its run (id, name, area, champion) and, for a 0/1 model, the decision threshold every page
    uses for the run and the costs it was chosen at: a bundle scored in another area decides as the run does."""
    from finmodels.data.tasks import BINARY
    from finmodels.delivery.bundle_identity import stamped
    from finmodels.delivery.runs import result_name
    from ui import decisions
    from ui.session import area

    threshold = source = costs = None
    if result.kind == BINARY:
        from finmodels.delivery.kept import decision_phrase

        threshold, _ = decisions.decision_threshold(result, page="Evaluate")
        record = decisions.kept_decision(result)
        source = "set on the Evaluate page" if decisions.chosen_here(result) else \
            decision_phrase(record, page="Evaluate") if record else "the least-cost threshold at the default costs"
        costs = (record or {}).get("costs")
        if costs is None:
            from finmodels.evaluation.thresholds import DEFAULT_COSTS

            costs = {"false_negative": DEFAULT_COSTS.false_negative, "false_positive": DEFAULT_COSTS.false_positive}
    return stamped(raw, run_id=result.run_id, name=result_name(result), area=area(),
                   champion=bool(result.run_id) and result.run_id == champion_id(), threshold=threshold,
                   costs=costs, threshold_source=source)


def loaded_bundle(upload):
    """The model bundle in an uploaded zip, checked and read once per file (its network stays for the worker
    that scores with it); None when it does not load."""
    kept = st.session_state.get(state.LOADED_BUNDLE)
    if kept is None or kept[0] != upload.file_id:
        with st.spinner("Checking the bundle (no code from the file is run)..."):
            try:
                raw = upload.getvalue()
                st.session_state[state.LOADED_BUNDLE] = (upload.file_id, load_bundle(raw, model=False), raw)
            except FinModelsError as exc:
                st.session_state.pop(state.LOADED_BUNDLE, None)
                show_error(exc)
    kept = st.session_state.get(state.LOADED_BUNDLE)
    return None if kept is None else kept[1]


def _job_on_upload(key, upload, model, *, verb: str, spinner: str, on_bundle, on_run):
    """`(file name, result)` of a worker job on an uploaded file with `model`, kept in the session and done again
    only when `key` changes: `on_bundle(bundle bytes, frame, ...)` when `model` is the loaded bundle, else
    `on_run(frame, ..., workspace=...)`; None after a message when the job cannot be done."""
    kept = st.session_state.get(state.SCORED)
    if kept is None or kept[0] != key:
        label = f"{verb} {upload.name}"
        try:
            frame = load_csv(upload.getvalue())
            loaded = st.session_state.get(state.LOADED_BUNDLE)
            if loaded is not None and loaded[1] is model:
                result = on_bundle(loaded[2], frame, label=label, spinner=spinner)
            else:
                result = on_run(frame, workspace=runtime.workspace_ref(), label=label, spinner=spinner)
        except FinModelsError as exc:
            show_error(exc)
            return None
        kept = (key, upload.name, result)
        st.session_state[state.SCORED] = kept
    return kept[1], kept[2]


def kept_run(run_id: str):
    """A run of this session's workspace area, read back once per session (detached), with its rows put back when the
    current data is its data: the data loaded now, not when it was first read (the Runs page reads the runs it
    compares before the analyst uploads their file); None after a message when it cannot be read."""
    kept = st.session_state.setdefault(state.KEPT_RUNS, {})
    if run_id not in kept:
        from ui.session import restore_run

        with st.spinner("Reading the run from the workspace..."):
            result = restore_run(run_id, None)
        if result is None:
            st.warning(f"Run {run_id} is no longer in the workspace.")
            return None
        kept[run_id] = result
    data = state.dataset()
    attached = st.session_state.get(state.KEPT_WITH_ROWS)
    if attached is None or attached[0] is not data:  # other data since: its runs are attached again
        attached = (data, {})
        st.session_state[state.KEPT_WITH_ROWS] = attached
    if run_id not in attached[1]:
        from finmodels.runtime.restore import with_rows

        result = kept[run_id] if data is None else with_rows(kept[run_id], data.frame)
        upload = _area_upload() if result.frame is None else None  # not the current data's run, or no data:
        if upload is not None:  # the file uploaded earlier in the area, when it is the run's (same fingerprint)
            result = with_rows(result, upload[1])
        attached[1][run_id] = result
    return attached[1][run_id]


def _area_upload() -> tuple[str, object] | None:
    """(name, frame) of the file last uploaded in this session's area (ui.session keeps it in the server's memory, so
    another tab or an earlier page of this one finds it); None when there is none."""
    from ui.session import _UPLOADS, area

    kept = _UPLOADS.get(area())
    return None if kept is None else (kept[1], kept[2])


def missing_rows_text(result) -> str:
    """What to do when a run has no rows at hand: it names the run's file, the data loaded now (else the area's kept
    upload) as another file, and where to load the run's file."""
    name = (result.data_info or {}).get("name") or "its data file"
    data, upload = state.dataset(), _area_upload()
    if data is not None:
        now = f" The data loaded now, '{data.name}', is another file."
    elif upload is not None:
        now = f" The file last uploaded in your area, '{upload[0]}', is another file."
    else:
        now = ""
    return (f"This run was read back from the workspace, which keeps no data, and its rows are not at hand.{now} "
            f"Upload '{name}' (the file it was trained on) on the **Data** page (your area keeps only its latest "
            "upload), then come back here to explain its test rows.")


def champion_id() -> str | None:
    """The run promoted to champion in this session's workspace area, if any."""
    from ui.session import workspace

    try:
        return workspace().champion()
    except FinModelsError:
        return None


def next_day_forecast(upload, model):
    """`(file name, NextDayForecast)` of a market risk or allocation model (the session's run, the champion or a
    loaded bundle) on an uploaded price file, computed once per file and model in a worker; None after a message
    when it cannot be."""
    from finmodels.delivery.forecasting import check_price_file

    # the command line's checks first: a file without a held ticker, a price column or enough days gets a message
    # naming it (the forecast raised a traceback on a missing column, and dropped a held ticker without a word)
    def on_bundle(data, frame, **job):
        check_price_file(model, frame)
        return runtime.run_job(worker.forecast_bundle, data, frame, **job)

    def on_run(frame, **job):
        check_price_file(model, frame)
        return runtime.run_job(worker.call_with, model, "finmodels.portfolio:forecast_next", frame=frame, **job)

    return _job_on_upload(("forecast", upload.file_id, id(model)), upload, model, verb="forecasting",
                          spinner="Forecasting the next day from each ticker's last window...",
                          on_bundle=on_bundle, on_run=on_run)

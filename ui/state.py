"""The one place that names what a session keeps in st.session_state.

Everything here belongs to one browser session: a model trained by one user is never shared with another
(no st.cache_resource for user data or models).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from finmodels.delivery.runs import RunHistory

DATASET = "dataset"
TARGET = "target"
EVENT_LABEL = "event_label"
RUN = "run"
EXPLANATION = "explanation"
RUNS = "runs"  # finmodels.delivery.runs.RunHistory: the last few runs, for the Runs page
JOB = "train_job"  # ui.jobs.TrainingJob: the training thread this session started
BUNDLE_BYTES = "bundle_bytes"  # the current run saved as a bundle, ready to download
REPORT = "report_html"  # the current run's HTML report, built on the Report page
FIGURES = "evaluate_figures"  # (run, its evaluation figures), so revisiting Evaluate does not rebuild them
SCORED = "scored"  # (file id, model id, threshold), file name, ScoredFile: the last file scored on the Score page
LOADED_BUNDLE = "score_bundle_loaded"  # (file id, LoadedBundle) of the bundle uploaded on the Score page
THRESHOLD = "threshold"  # set by the Evaluate page: the decision threshold the Score page starts from
TASK = "task"  # set by the Data page: the task preset key the data suggests
FEATURES = "features"  # set by the Data page: the feature columns chosen
KEPT_RUNS = "kept_runs"  # {run id: detached TrainingResult} read back from the workspace on the Runs page
KEPT_WITH_ROWS = "kept_runs_with_rows"  # (Dataset, {run id: the kept run with that data's rows when it is its file})
LEFT_RUN = "left_run"  # {"name", "file", "data", "opened"}: the run given up when other data was loaded (ui.messages)
_RESTORED_DATA = "_restored_data"  # the address's data choice was read once in this session (ui.session)
_RESTORED_RUN = "_restored_run"  # id of the dataset the address's run was last read back with in this session
_NEVER = object()


@dataclass(frozen=True)
class Dataset:
    name: str
    frame: pd.DataFrame


def dataset() -> Dataset | None:
    """The session's table; after a reload of the tab, the one named in the address, read again."""
    current = st.session_state.get(DATASET)
    if current is None and not st.session_state.get(_RESTORED_DATA):
        st.session_state[_RESTORED_DATA] = True
        from ui.session import remembered_data

        found = remembered_data()
        if found is not None:
            from finmodels.data.profiling import pick_target
            from ui.session import remembered_target

            set_dataset(*found, chosen=False)
            current = st.session_state.get(DATASET)
            # the analyst's target when the address names one of its columns, else as the Data page picks it
            st.session_state[TARGET] = remembered_target(current.frame.columns) or pick_target(current.frame)[0]
    return current


def set_dataset(name: str, frame: pd.DataFrame, *, chosen: bool = True) -> None:
    """Keep a newly loaded table; a new table invalidates the target choice, the run and its explanation. Data the
    analyst `chosen` in this tab (not read back for it) brings back only the address's run, never the area's."""
    st.session_state[DATASET] = Dataset(name, frame)
    if chosen:
        st.session_state.setdefault(_RESTORED_RUN, None)
    # the feature list and task belong to the old table's columns: the Data page sets them again for this one
    for key in (TARGET, EVENT_LABEL, FEATURES, TASK, RUN, EXPLANATION, SCORED, BUNDLE_BYTES, REPORT, FIGURES,
                KEPT_WITH_ROWS, LEFT_RUN):
        st.session_state.pop(key, None)


def run(*, from_area: bool = True):
    """The current run; after a reload of the tab or a restart of the server, the one named in the address,
    read back from the workspace (with its rows when the current data is the file it was trained on); a tab opened
    without ?run= takes the area's (`ui.session.area_run`). Loading data
    drops the run (`set_dataset`); when the data loaded is the run's own file (uploaded again after a restart),
    the run comes back with its rows. Not `from_area` (the Runs page, where the analyst chooses), a tab opened
    without ?run= opens none yet."""
    current = st.session_state.get(RUN)
    data = dataset()
    tried, seen = st.session_state.get(_RESTORED_RUN, _NEVER), (id(data) if data is not None else None)
    if current is None and tried != seen:  # once, and again after new data (the run's own file, loaded again)
        from ui.session import area_run, remembered_run_id, restore_run

        run_id = remembered_run_id()
        if not run_id and tried is _NEVER and not from_area:
            return None
        st.session_state[_RESTORED_RUN] = seen
        frame = data.frame if data is not None else None
        if run_id or tried is _NEVER:  # a tab opened without ?run=: the run its area last showed, or its newest
            current = restore_run(run_id, frame) if run_id else area_run(frame)
            if current is not None and tried is not _NEVER and current.frame is None:
                current = _run_of_new_data(current, data)  # other data than the run's was loaded
            if current is not None:
                set_run(current)
                if current.frame is not None:  # the current data is the run's: its choices come back with it
                    config = current.config
                    st.session_state.update({TARGET: config.target, TASK: config.task,
                                             EVENT_LABEL: current.event_label or None})
                    if config.features:
                        st.session_state[FEATURES] = list(config.features)
    return current


def _run_of_new_data(left, data: Dataset):
    """The run to show after `data`, another file than run `left`'s, was loaded: the area's latest run of `data`
    (ui.messages.opened_note says so), else None (ui.messages.no_run_message names the run left and its file)."""
    from finmodels.delivery.runs import result_name
    from ui.session import OPENED, area_run, remember_run

    found = area_run(data.frame)
    (st.session_state.get(OPENED) or {}).pop("run", None)  # not a tab opened without a run: noted as LEFT_RUN
    st.session_state[LEFT_RUN] = {"name": result_name(left), "file": (left.data_info or {}).get("name") or "another file",
                                  "data": data.name, "opened": found.run_id if found is not None else None}
    if found is None:
        remember_run(None)  # the address no longer names a run of other data as the current one
    return found


def set_run(result) -> None:
    """Make `result` the run the Evaluate, Explain, Score and Report pages show."""
    st.session_state[RUN] = result
    from ui.session import remember_run

    remember_run(getattr(result, "run_id", None))
    for key in (EXPLANATION, SCORED, BUNDLE_BYTES, REPORT, FIGURES):
        st.session_state.pop(key, None)


def runs() -> RunHistory:
    """This session's bounded run history (created on first use)."""
    if RUNS not in st.session_state:
        st.session_state[RUNS] = RunHistory()
    return st.session_state[RUNS]


def add_run(result, *, data_name: str) -> None:
    """Keep a finished run in the history and make it the current run."""
    runs().add(result, data_name=data_name)
    set_run(result)

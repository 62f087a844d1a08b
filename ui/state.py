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


@dataclass(frozen=True)
class Dataset:
    name: str
    frame: pd.DataFrame


def dataset() -> Dataset | None:
    return st.session_state.get(DATASET)


def set_dataset(name: str, frame: pd.DataFrame) -> None:
    """Keep a newly loaded table; a new table invalidates the target choice, the run and its explanation."""
    st.session_state[DATASET] = Dataset(name, frame)
    # the feature list and task belong to the old table's columns: the Data page sets them again for this one
    for key in (TARGET, EVENT_LABEL, FEATURES, TASK, RUN, EXPLANATION, SCORED, BUNDLE_BYTES, REPORT, FIGURES):
        st.session_state.pop(key, None)


def run():
    return st.session_state.get(RUN)


def set_run(result) -> None:
    """Make `result` the run the Evaluate, Explain, Score and Report pages show."""
    st.session_state[RUN] = result
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

"""The server's model runner, as the pages see it: model work goes to worker processes, never this one.

The web process never imports TensorFlow, Keras or shap. Training, explaining, scoring and saving bundles are
jobs (finmodels.runtime) sent to the runner `FINMODELS_RUNNER` names: a pool of warm local workers by
default, or Ray. The runner is one per server process and shared by every session, like the machine's cores;
the jobs, runs and results are each session's own (st.session_state and the session's workspace area).
"""

from __future__ import annotations

import atexit
import threading

import streamlit as st

from finmodels.errors import FinModelsError
from finmodels.runtime.worker import WorkspaceRef

_LOCK = threading.Lock()
_RUNNER: list = []


def runner():
    """The process-wide runner, started (its workers importing TensorFlow) on first use."""
    with _LOCK:
        if not _RUNNER:
            from finmodels.runtime.runners import make_runner

            started = make_runner()
            atexit.register(started.shutdown)
            _RUNNER.append(started)
        return _RUNNER[0]


def workspace_ref() -> WorkspaceRef:
    """Where this session's runs are kept, for a worker."""
    from ui.session import area

    return WorkspaceRef(area=area())


def run_job(fn, *args, label: str, spinner: str, **kwargs):
    """Run one short job (explain, score, save) in a worker and wait for it, under a spinner; the project's own
    errors are raised as they are, for the page to show as messages."""
    job = runner().submit(fn, *args, label=label, **kwargs)
    with st.spinner(spinner):
        job.wait()
    return job.outcome()


def start() -> None:
    """Start the runner early (the Home and Data pages call it) so workers are warm when Train is pressed."""
    try:
        runner()
    except FinModelsError:  # shown where a job is submitted, with its message
        pass

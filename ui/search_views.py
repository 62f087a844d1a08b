"""The Train page's hyperparameter search: N trials of the chosen network's settings, watched live, stoppable,
and the best configuration trained with one click.

The trials start from the form's settings (its task, network, features, patience and seed), with their own
number of epochs; each trial is a worker job (`ui.jobs.start_search`), so the page only polls. The run trained
from the best trial keeps the search with it in the workspace, and the report shows it.
"""

from __future__ import annotations

import dataclasses

import streamlit as st

from finmodels.errors import FinModelsError
from finmodels.models.search import COMPLETE, MAX_TRIALS, MIN_TRIALS, RUNNING, TEST_ROWS_NOTE, best_config, trials_table
from finmodels.plots.search import plot_search_history
from ui import state, train_form
from ui.jobs import SearchJob, keep, kept, start_search, start_training
from ui.messages import show_error
from ui.widgets import remember, store

SEARCH = "train_search"  # ui.jobs.SearchJob: the search this session started last
_INPUTS = ["search_trials", "search_epochs"]


def _table(job: SearchJob, *, key: str) -> None:
    trials = job.listed()
    if not trials:
        st.caption("Waiting for the first trial to start...")
        return
    table = trials_table(trials)
    best = job.result.best if job.result is not None else None
    if best is not None:
        table.insert(0, "best", ["★" if n == best.number + 1 else "" for n in table["trial"]])
    st.dataframe(table, hide_index=True, key=f"{key}_table",
                 column_config={c: st.column_config.NumberColumn(format="%.4g") for c in table.columns
                                if table[c].dtype.kind == "f"})
    if sum(t.state != RUNNING for t in trials) >= (1 if job.result is not None else 2):  # one point says little
        st.plotly_chart(plot_search_history(trials), key=f"{key}_chart")


def _status(job: SearchJob) -> str:
    trials = job.listed()
    done = sum(t.state != RUNNING for t in trials)
    running = [t.number + 1 for t in trials if t.state == RUNNING]
    where = f" · running: trial {', '.join(map(str, running))}" if running else ""
    stopping = " · stopping after the current epochs" if job.control.stopped else ""
    return f"{done} of {job.count} trials finished{where} · {job.elapsed:.0f} s{stopping}"


def _live(job: SearchJob) -> None:
    @st.fragment(run_every=1.0)
    def watch():
        if not job.running:
            st.rerun()  # the whole page: the outcome and the Train button appear, the polling stops
        st.progress(sum(t.state != RUNNING for t in job.listed()) / job.count, text=_status(job))
        buttons = st.columns([2, 2, 2, 4])
        if buttons[0].button("Stop the search", key="search_stop", icon=":material/stop_circle:",
                             disabled=job.control.stopped):
            job.stop()
        for slot, trial in zip(buttons[1:3], [t for t in job.listed() if t.state == RUNNING][:2]):
            if slot.button(f"Stop trial {trial.number + 1}", key=f"search_stop_{trial.number}"):
                job.control.stop_trial(trial.number)
        _table(job, key="search_live")

    watch()


def _outcome(job: SearchJob, *, busy: bool) -> None:
    if job.error is not None:
        if not isinstance(job.error, FinModelsError):
            raise job.error
        show_error(job.error)
        return
    result = job.result
    best = result.best
    finished = sum(t.state == COMPLETE for t in result.trials)
    st.markdown(f"**{finished} of {job.count} trials complete** in {job.elapsed:.0f} s on *{job.data_name}*"
                + (f" ({result.parallel} at once)" if result.parallel > 1 else "")
                + (" · stopped" if result.stopped else ""))
    _table(job, key="search_done")
    if best is None:
        st.warning("No trial finished, so there is no best configuration. Start the search again and let at least "
                   "one trial finish.")
        return
    settings = ", ".join(f"{k} {v:.3g}" if isinstance(v, float) else f"{k} {v}" for k, v in best.params.items())
    metric = f", validation {best.metric} {best.metric_value:.4f}" if best.metric_value is not None else ""
    st.success(f"Best: trial {best.number + 1}, validation loss {best.value:.4f}{metric}. Settings: {settings}.")
    if st.button("Train the best configuration", key="search_train_best", type="primary",
                 icon=":material/model_training:", disabled=busy,
                 help="Trains the best trial's settings on the same split, with its baselines, and scores the test "
                      "rows for the first time; the run keeps this search in the workspace."):
        keep(state.JOB, start_training(job.frame, best_config(result), data_name=job.data_name,
                                       search=result.to_dict()))
        st.rerun()


def search_section(*, target: str | None, task: str, arch: str, window: int, busy: bool) -> None:
    """The search's inputs, its live trials while it runs, and its outcome with the one-click training."""
    st.caption(f"Optuna tries settings of the **{arch}** network (layer sizes, dropout, learning rate, batch size "
               f"...) around the form above. {TEST_ROWS_NOTE}")
    job = kept(SEARCH)
    running = job is not None and job.running
    remember({"search_trials": 10, "search_epochs": 30})
    left, middle, right = st.columns([1, 1, 2])
    left.number_input("Trials", 0, 10_000, step=1, key="search_trials",
                      help=f"{MIN_TRIALS} to {MAX_TRIALS}; each trial trains one network (20 to 50 is usual).")
    middle.number_input("Max epochs per trial", 1, 1000, key="search_epochs",
                        help="Each trial stops early on its validation loss, with the form's patience.")
    store(_INPUTS)
    right.markdown("&nbsp;")
    if right.button("Start the search", key="search_start", icon=":material/travel_explore:",
                    disabled=running or busy):
        config = train_form.build_config(target=target, task=task, arch=arch, window=window)
        if config is not None:
            config = dataclasses.replace(config, epochs=int(st.session_state["search_epochs"]))
            current = state.dataset()
            try:
                job = start_search(current.frame, config, trials=st.session_state["search_trials"],
                                   data_name=current.name)
            except FinModelsError as exc:
                show_error(exc)
            else:
                keep(SEARCH, job)
                running = True
    if job is None:
        return
    if running:
        _live(job)
    else:
        _outcome(job, busy=busy)

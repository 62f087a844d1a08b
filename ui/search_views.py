"""The Train page's hyperparameter search: N trials of the chosen network's settings, watched live, stoppable,
and the best configuration trained with one click.

The trials start from the form's settings (its task, network, features, patience and seed), with their own
number of epochs; each trial is a worker job (`ui.jobs.start_search`), so the page only polls. Each search draws
a fresh sampler seed unless one is entered, and its outcome shows it. The best is trained with the form's max
epochs, and only while the loaded data is the file searched on. The run trained from the best trial keeps the
search with it in the workspace, and the report shows it.
"""

from __future__ import annotations

import dataclasses

import streamlit as st

from finmodels.errors import FinModelsError
from finmodels.evaluation.metrics import METRIC_LABELS
from finmodels.models.training.blend import arch_label
from finmodels.models.search import COMPLETE, MAX_TRIALS, MIN_TRIALS, RUNNING, TEST_ROWS_NOTE, best_config, trials_table
from finmodels.plots.search import plot_search_history
from ui import state, train_form
from ui.jobs import SEED_MAX, SearchJob, keep, kept, start_search, start_training
from ui.messages import show_error
from ui.widgets import remember, store

SEARCH = "train_search"  # ui.jobs.SearchJob: the search this session started last
SETTING_NAMES = {"l2": "L2 penalty"}  # a setting whose name is not read by replacing its underscores
_INPUTS = ["search_trials", "search_epochs", "search_seed"]


def _table(job: SearchJob, *, key: str) -> None:
    trials = job.listed()
    if not trials:
        st.caption("Waiting for the first trial to start...")
        return
    table = trials_table(trials)
    best = job.result.best if job.result is not None else None
    if best is not None:
        table.insert(0, "best", ["★" if n == best.number + 1 else "" for n in table["trial"]])
    st.dataframe(shown(table), hide_index=True, key=f"{key}_table")
    if sum(t.state != RUNNING for t in trials) >= (1 if job.result is not None else 2):  # one point says little
        st.plotly_chart(plot_search_history(trials), key=f"{key}_chart")


def readable(name: str) -> str:
    """A metric or setting of the search as the analyst reads it: 'validation ROC AUC' (not 'validation roc_auc'),
    'ROC AUC', 'learning rate', 'L2 penalty'."""
    if name.startswith("validation "):
        return f"validation {readable(name.removeprefix('validation '))}"
    return METRIC_LABELS.get(name) or SETTING_NAMES.get(name) or name.replace("_", " ")


def shown(table):
    """The trials' table as drawn: columns named in words (`readable`), numbers to 4 significant digits, and a score
    not in yet (a running trial's, or a metric the task has not) as an empty cell rather than 'None'; the columns stay
    numbers, so they sort."""
    table = table.rename(columns=readable)
    numbers = [c for c in table.columns if table[c].dtype.kind == "f"]
    return table.style.format("{:.4g}", subset=numbers, na_rep="").format(na_rep="", subset=[
        c for c in table.columns if c not in numbers])


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


def _header(job: SearchJob) -> str:
    result = job.result
    finished = sum(t.state == COMPLETE for t in result.trials)
    cut = len(result.stopped_trials)
    stopped = (" · search stopped" if result.search_stopped
               else f" · {cut} trial{'s' if cut > 1 else ''} stopped" if cut else "")
    return (f"**{finished} of {job.count} trials complete** in {job.elapsed:.0f} s on *{job.data_name}*"
            + (f" ({result.parallel} at once)" if result.parallel > 1 else "") + stopped
            + f" · sampler seed {result.seed}")


def _outcome(job: SearchJob, *, busy: bool) -> None:
    if job.error is not None:
        if not isinstance(job.error, FinModelsError):
            raise job.error
        show_error(job.error)
        return
    result = job.result
    best = result.best
    st.markdown(_header(job))
    _table(job, key="search_done")
    if result.stopped_note():
        st.caption(result.stopped_note())
    if best is None:
        st.warning("No trial finished, so there is no best configuration. Start the search again and let at least "
                   "one trial finish.")
        return
    settings = ", ".join(f"{readable(k)} {v:.3g}" if isinstance(v, float) else f"{readable(k)} {v}"
                         for k, v in best.params.items())
    metric = f", validation {readable(best.metric)} {best.metric_value:.4f}" if best.metric_value is not None else ""
    st.success(f"Best: trial {best.number + 1}, validation loss {best.value:.4f}{metric}. Settings: {settings}.")
    st.caption(f"Optuna's sampler seed was {result.seed}: enter it as the search seed, with the same file, form and "
               "number of trials, to ask the same settings again" + (" (trials that ran at once can differ)."
                                                                     if result.parallel > 1 else "."))
    current = state.dataset()
    if not job.searched_on(current):
        st.caption(f"The last search ran on **{job.data_name}**, not on the loaded data "
                   f"(**{current.name if current is not None else 'none'}**), so its best configuration is not "
                   f"trained here. Start a new search for this file, or load {job.data_name} again.")
        return
    epochs = job.epochs or job.config.epochs
    if st.button("Train the best configuration", key="search_train_best", type="primary",
                 icon=":material/model_training:", disabled=busy,
                 help=f"Trains the best trial's settings with the form's max epochs ({epochs}, not the trials' "
                      f"{job.config.epochs}; early stopping with the form's patience still ends it) on the same split, "
                      "with its baselines, and scores the test rows for the first time; the run keeps this search "
                      "in the workspace."):
        keep(state.JOB, start_training(job.frame, best_config(result, epochs=epochs), data_name=job.data_name,
                                       search=result.to_dict()))
        st.rerun()


def search_section(*, target: str | None, task: str, arch: str, window: int, busy: bool) -> None:
    """The search's inputs, its live trials while it runs, and its outcome with the one-click training."""
    st.caption(f"Optuna tries settings of the **{arch_label(arch, lower=True)}**: its layer sizes, dropout, learning "
               f"rate, batch size ... around the form above. {TEST_ROWS_NOTE}")
    job = kept(SEARCH)
    running = job is not None and job.running
    remember({"search_trials": 10, "search_epochs": 30, "search_seed": None})
    left, middle, seed, right = st.columns([1, 1, 1, 2])
    left.number_input("Trials", 0, 10_000, step=1, key="search_trials",
                      help=f"{MIN_TRIALS} to {MAX_TRIALS}; each trial trains one network (20 to 50 is usual).")
    middle.number_input("Max epochs per trial", 1, 1000, key="search_epochs",
                        help="Each trial stops early on its validation loss, with the form's patience. The best "
                             "configuration is then trained with the form's max epochs.")
    seed.number_input("Search seed", 0, SEED_MAX, step=1, key="search_seed", placeholder="random",
                      help="Seeds optuna's sampler. Leave empty for a fresh seed each search (shown with its "
                           "outcome); enter that seed to ask the same settings again.")
    store(_INPUTS)
    right.markdown("&nbsp;")
    if right.button("Start the search", key="search_start", icon=":material/travel_explore:",
                    disabled=running or busy):
        config = train_form.build_config(target=target, task=task, arch=arch, window=window)
        if config is not None:
            epochs = config.epochs  # the form's: the best configuration trains with them
            config = dataclasses.replace(config, epochs=int(st.session_state["search_epochs"]))
            current = state.dataset()
            try:
                job = start_search(current.frame, config, trials=st.session_state["search_trials"],
                                   data_name=current.name, epochs=epochs, seed=st.session_state["search_seed"])
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

"""Train: pick the task and network, set its hyperparameters, and train it in the background with live progress."""

import dataclasses

import streamlit as st

from finmodels.models.architectures import ARCHITECTURES
from finmodels.errors import FinModelsError
from finmodels.plots.training import plot_loss_curve
from finmodels.data.tasks import ANOMALY, FORECAST, TASKS, get_task
from finmodels.models.training import LARGE_TABLE_ROWS, LR_SCHEDULES, TrainConfig, expected_train_rows, fit_defaults
from ui import state
from ui.jobs import start_training, warm_up
from ui.messages import require_dataset_message, show_error
from ui.results import describe_run, metric_tiles
from ui.widgets import remember, store

st.set_page_config(page_title="Train · Risk model studio", layout="wide")
st.title("Train")

current = state.dataset()
target = st.session_state.get(state.TARGET)
if current is None:
    require_dataset_message()
    st.stop()


def collect(job) -> None:
    """Move a finished job's result into the session's runs, once; a real bug is re-raised, not hidden."""
    if job is None or job.running or job.collected:
        return
    job.collected = True
    if job.error is None:
        state.add_run(job.result, data_name=job.data_name)
    elif not isinstance(job.error, FinModelsError):
        raise job.error


job = st.session_state.get(state.JOB)
collect(job)
warm_up()

# One source of defaults: the dataclasses and fit_defaults(), as used by the command line and the benchmark.
# Batch size and learning rate left empty mean "automatic for this many rows".
_MLP, _RUN = ARCHITECTURES["mlp"].config_class(), {f.name: f.default for f in dataclasses.fields(TrainConfig)}
FORM_DEFAULTS = {"train_units": ", ".join(map(str, _MLP.units)), "train_dropout": _MLP.dropout, "train_lr": None,
                 "train_batch": None, "train_epochs": _RUN["epochs"], "train_patience": _RUN["patience"],
                 "train_class_weight": _RUN["class_weight"], "train_seed": _RUN["seed"], "train_schedule": "auto"}
SCHEDULE_LABELS = {"constant": "constant", "cosine": "cosine decay", "reduce_on_plateau": "halve on plateaus"}
suggested_task = st.session_state.get(state.TASK) or "credit_default"
suggested_task = suggested_task if suggested_task in TASKS else "credit_default"
if st.session_state.get("_train_task_suggested") != suggested_task:
    # The Data page suggested another task (new data or the analyst chose one there): follow it.
    st.session_state["_train_task_suggested"] = suggested_task
    st.session_state["train_task"] = st.session_state["_kept_train_task"] = suggested_task
remember({"train_task": suggested_task, "train_window": 20, **FORM_DEFAULTS})

st.caption(f"Data: **{current.name}** · {len(current.frame):,} rows · target **{target or 'none'}**"
           + (f" · event **{st.session_state[state.EVENT_LABEL]}**" if st.session_state.get(state.EVENT_LABEL) else ""))

left, right = st.columns(2)
with left:
    task_key = st.selectbox("Task", list(TASKS), format_func=lambda k: TASKS[k].label, key="train_task")
    task = get_task(task_key)
    st.caption(task.description)
if target is None and task.kind not in (FORECAST, ANOMALY):
    st.info(f"The {task.label.lower()} task predicts a target column, and none is chosen. Choose the target on the "
            "**Data** page, or pick a forecast or anomaly task, which learn from the rows themselves.")
    st.page_link("pages/1_Data.py", label="Go to Data", icon=":material/table:")
    st.stop()
with right:
    fitting = [a for a in task.architectures if a in ARCHITECTURES]
    if not fitting:
        st.error(f"No network for the {task.label.lower()} task is installed yet. Pick another task.")
        st.stop()
    if st.session_state.get("train_arch") not in fitting:
        st.session_state["train_arch"] = fitting[0]
    arch = st.selectbox("Network", fitting, format_func=lambda k: ARCHITECTURES[k].label, key="train_arch")
    st.caption(ARCHITECTURES[arch].description)

with st.form("train_form"):
    st.markdown("**Hyperparameters**")
    c1, c2, c3, c9, c4 = st.columns(5)
    units = c1.text_input("Hidden layer sizes", key="train_units", help="Units per layer, first to last, e.g. 64, 32")
    dropout = c2.number_input("Dropout", 0.0, 0.9, step=0.05, key="train_dropout")
    auto = fit_defaults(expected_train_rows(len(current.frame)), sequence=task.kind == FORECAST)
    lr = c3.number_input("Learning rate", 1e-5, 0.5, step=1e-4, format="%.4f", key="train_lr",
                         placeholder=f"auto ({auto.learning_rate:g})",
                         help="Leave empty for the default measured for a table of this size.")
    schedule = c9.selectbox("Learning-rate schedule", ["auto", *LR_SCHEDULES], key="train_schedule",
                            format_func=lambda s: f"auto ({SCHEDULE_LABELS[auto.lr_schedule]})" if s == "auto"
                            else SCHEDULE_LABELS[s],
                            help=f"Auto: the schedule measured for a table of this size (cosine decay from "
                                 f"{LARGE_TABLE_ROWS:,} training rows, else constant).")
    batch = c4.number_input("Batch size", 8, 4096, step=8, key="train_batch", placeholder=f"auto ({auto.batch_size})",
                            help="Leave empty for the default measured for a table of this size.")
    c5, c6, c7, c8 = st.columns(4)
    epochs = c5.number_input("Max epochs", 1, 1000, key="train_epochs")
    patience = c6.number_input("Early stopping patience", 1, 200, key="train_patience",
                               help="Stop when validation loss has not improved for this many epochs; "
                                    "the best weights are kept.")
    seed = c7.number_input("Seed", 0, 1_000_000, key="train_seed")
    c8.markdown("&nbsp;")
    class_weight = c8.checkbox("Weight classes", key="train_class_weight",
                               help="Give the rare class as much weight as the common one.")
    window = 20
    if task.kind == FORECAST:
        window = st.number_input("Window (days of history per prediction)", 2, 500, key="train_window")
    busy = job is not None and job.running
    submitted = st.form_submit_button("Train", type="primary", disabled=busy)
store(["train_task", "train_arch", "train_window", *FORM_DEFAULTS])


def build_config() -> TrainConfig | None:
    try:
        sizes = tuple(int(u) for u in units.replace(";", ",").split(",") if u.strip())
    except ValueError:
        st.error(f"Hidden layer sizes must be whole numbers separated by commas, such as '64, 32'; got '{units}'.")
        return None
    spec = ARCHITECTURES[arch]
    base = spec.config_class()
    names = {f.name for f in dataclasses.fields(base)}
    wanted = {"units": sizes, "dropout": float(dropout)}
    try:
        hyper = dataclasses.replace(base, **{k: v for k, v in wanted.items() if k in names})
        features = st.session_state.get(state.FEATURES)
        return TrainConfig(
            target=target, task=task_key, arch=arch, hyperparameters=hyper, event_label=st.session_state.get(state.EVENT_LABEL),
            features=tuple(features) if features else None, epochs=int(epochs),
            batch_size=None if batch is None else int(batch), learning_rate=None if lr is None else float(lr),
            lr_schedule=None if schedule == "auto" else schedule, patience=int(patience), class_weight=bool(class_weight), seed=int(seed),
            window=int(window),
        )
    except FinModelsError as exc:
        show_error(exc)
        return None


if submitted and not busy:
    config = build_config()
    if config is not None:
        job = start_training(current.frame, config, data_name=current.name)
        st.session_state[state.JOB] = job


def progress_text(job) -> str:
    done, total = job.epochs_done, job.config.epochs
    if job.queued:
        return "Waiting for another session's training to finish (one network trains at a time on this server)..."
    if job.stop_requested:
        return f"Stopping after epoch {done}; keeping the best weights so far..."
    if done == 0:
        return "Preparing the data and building the network..."
    val = job.history["val_loss"][-1] if job.history["val_loss"] else job.history["loss"][-1]
    return (f"Epoch {done} of at most {total} · validation loss {val:.4f} · {job.elapsed:.0f} s "
            "· baselines and test metrics follow")


job = st.session_state.get(state.JOB)
if job is not None and job.running:
    @st.fragment(run_every=0.5)
    def live_progress():
        running = st.session_state[state.JOB]
        if not running.running:
            st.rerun()  # the whole page, so the results appear and the polling stops
        st.progress(min(1.0, running.epochs_done / running.config.epochs), text=progress_text(running))
        if st.button("Stop", key="train_stop", icon=":material/stop_circle:", disabled=running.stop_requested):
            running.stop()
        if running.epochs_done:
            st.plotly_chart(plot_loss_curve(running.history, title="Loss per epoch (live)"), key="train_live")

    live_progress()
elif job is not None and job.error is not None:
    show_error(job.error)

result = state.run()
if result is not None:
    st.subheader("Held-out test results")
    config = result.config
    epochs_run = len(result.history.get("loss", []))
    how = "stopped by you" if result.stopped_early else (
        "early stopping" if epochs_run < config.epochs else "all epochs")
    st.caption(f"{describe_run(config)} · {epochs_run} epochs ({how}; best weights kept) · network fit "
               f"{result.seconds.get('fit', 0):.1f} s · {result.seconds.get('total', 0):.1f} s in total, with "
               "preprocessing and baselines")
    metric_tiles(result)
    st.plotly_chart(plot_loss_curve(result.history), key="train_loss_curve")
    st.page_link("pages/3_Evaluate.py", label="Next: evaluate the model in detail", icon=":material/arrow_forward:")

"""The Train page's form: its defaults, the task it takes from the Data page, and the TrainConfig it builds.

One source of defaults: the dataclasses and fit_defaults(), as used by the command line and the benchmark.
Batch size and learning rate left empty mean "automatic for this many rows".
"""

from __future__ import annotations

import dataclasses

import streamlit as st

from finmodels.data.tasks import TASKS, TaskPreset
from finmodels.errors import FinModelsError
from finmodels.models.architectures import ARCHITECTURES
from finmodels.models.training import TrainConfig
from ui import state
from ui.messages import show_error
from ui.widgets import remember, store

_MLP, _RUN = ARCHITECTURES["mlp"].config_class(), {f.name: f.default for f in dataclasses.fields(TrainConfig)}
FORM_DEFAULTS = {"train_units": ", ".join(map(str, _MLP.units)), "train_dropout": _MLP.dropout, "train_lr": None,
                 "train_batch": None, "train_epochs": _RUN["epochs"], "train_patience": _RUN["patience"],
                 "train_class_weight": _RUN["class_weight"], "train_seed": _RUN["seed"], "train_schedule": "auto"}
DEFAULT_WINDOW = 20
SCHEDULE_LABELS = {"constant": "constant", "cosine": "cosine decay", "reduce_on_plateau": "halve on plateaus"}
_SUGGESTED = "_train_task_suggested"  # the task the Data page suggested when the form last followed it


def follow_suggested_task() -> None:
    """Seed the form's widgets: the task the Data page suggests (when it changed), else the values last used."""
    suggested = st.session_state.get(state.TASK) or _RUN["task"]
    suggested = suggested if suggested in TASKS else _RUN["task"]
    if st.session_state.get(_SUGGESTED) != suggested:
        # The Data page suggested another task (new data or the analyst chose one there): follow it.
        st.session_state[_SUGGESTED] = suggested
        st.session_state["train_task"] = st.session_state["_kept_train_task"] = suggested
    remember({"train_task": suggested, "train_window": DEFAULT_WINDOW, **FORM_DEFAULTS})


def keep_form() -> None:
    """Keep the form's values for the next visit (see ui/widgets.py)."""
    store(["train_task", "train_arch", "train_window", *FORM_DEFAULTS])


def fitting_architectures(task: TaskPreset) -> list[str]:
    """The installed networks that fit `task`, first the default; the network widget is kept among them."""
    fitting = [a for a in task.architectures if a in ARCHITECTURES]
    if fitting and st.session_state.get("train_arch") not in fitting:
        st.session_state["train_arch"] = fitting[0]
    return fitting


def schedule_label(schedule: str, *, auto: str) -> str:
    """`auto (constant)` for the automatic choice, whose schedule for this table is `auto`; else the schedule's name."""
    return f"auto ({SCHEDULE_LABELS[auto]})" if schedule == "auto" else SCHEDULE_LABELS[schedule]


def parse_units(text: str) -> tuple[int, ...]:
    """'64, 32' (or '64; 32') as (64, 32); ValueError on anything but whole numbers."""
    return tuple(int(u) for u in text.replace(";", ",").split(",") if u.strip())


def build_config(*, target: str | None, task: str, arch: str, window: int) -> TrainConfig | None:
    """The TrainConfig of the submitted form (its widgets' values in session state) and the Data page's choices.

    A problem with the form's values is shown as a message, and the result is None.
    """
    form = st.session_state
    units = form["train_units"]
    try:
        sizes = parse_units(units)
    except ValueError:
        st.error(f"Hidden layer sizes must be whole numbers separated by commas, such as '64, 32'; got '{units}'.")
        return None
    base = ARCHITECTURES[arch].config_class()
    names = {f.name for f in dataclasses.fields(base)}
    wanted = {"units": sizes, "dropout": float(form["train_dropout"])}
    lr, batch, schedule = form["train_lr"], form["train_batch"], form["train_schedule"]
    features = form.get(state.FEATURES)
    try:
        return TrainConfig(
            target=target, task=task, arch=arch,
            hyperparameters=dataclasses.replace(base, **{k: v for k, v in wanted.items() if k in names}),
            event_label=form.get(state.EVENT_LABEL), features=tuple(features) if features else None,
            epochs=int(form["train_epochs"]), batch_size=None if batch is None else int(batch),
            learning_rate=None if lr is None else float(lr), lr_schedule=None if schedule == "auto" else schedule,
            patience=int(form["train_patience"]), class_weight=bool(form["train_class_weight"]),
            seed=int(form["train_seed"]), window=int(window),
        )
    except FinModelsError as exc:
        show_error(exc)
        return None

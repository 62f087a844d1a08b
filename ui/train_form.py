"""The Train page's form: its defaults, the task it takes from the Data page, and the TrainConfig it builds.

One source of defaults: the dataclasses and fit_defaults(), as used by the command line and the benchmark.
Batch size and learning rate left empty mean "automatic for this many rows". Forecast tasks add the VaR level and
horizon, asset allocation its risk aversion and cap per asset; a price file of several tickers can take a holdings
file (`holdings_upload`, above the form, so its messages show as soon as it is uploaded).
"""

from __future__ import annotations

import dataclasses

import streamlit as st

from finmodels.data.holdings import Holdings, read_holdings
from finmodels.data.reading import load_csv
from finmodels.data.tasks import ANOMALY, BINARY, FORECAST, MULTICLASS, ORDINAL, TASKS, TaskPreset
from finmodels.errors import DataError, FinModelsError
from finmodels.models.architectures import ARCHITECTURES
from finmodels.models.training import TrainConfig
from finmodels.models.training.config import DEFAULT_ARCH, HUGE_TABLE_ROWS, MAX_MEMBERS, auto_blend, fit_defaults
from ui import data_choices, form_memory, state
from ui.messages import show_error
from ui.widgets import follow, last_value, remember, store

_MLP, _RUN = ARCHITECTURES["mlp"].config_class(), {f.name: f.default for f in dataclasses.fields(TrainConfig)}
FORM_DEFAULTS = {"train_units": ", ".join(map(str, _MLP.units)), "train_dropout": _MLP.dropout, "train_lr": None,
                 "train_batch": None, "train_epochs": _RUN["epochs"], "train_patience": _RUN["patience"],
                 "train_class_weight": _RUN["class_weight"], "train_seed": _RUN["seed"], "train_schedule": "auto",
                 "train_var_level": _RUN["var_level"], "train_horizon": _RUN["horizon"],
                 "train_risk_aversion": _RUN["risk_aversion"], "train_cap": _RUN["cap"],
                 "train_members": None, "train_blend": "none", "train_split": "random"}
VAR_LEVELS = (0.95, 0.975, 0.99)  # as finmodels.portfolio.VAR_LEVELS (not imported: it would load scipy here)
NORMALISE = "Normalise the weights so they add up to 1"
HOLDINGS = "train_holdings"  # Holdings read from the uploaded file; INVALID when the file cannot be used
INVALID = "invalid"
_PANEL = "_train_panel"  # (frame id, window, Panel or None) of the current price file
DEFAULT_WINDOW = 20
SCHEDULE_LABELS = {"constant": "constant", "cosine": "cosine decay", "reduce_on_plateau": "halve on plateaus"}
SPLIT_LABELS = {"random": "random (stratified)", "entity": "by entity (each one's rows together)",
                "date": "by date (the latest rows tested)", "auto": "auto (by date, else by entity)"}
_SUGGESTED = "_train_task_suggested"  # the task the Data page suggested when the form last followed it
# The Network box's first choice on table rows with a target: the default network blended with fit_defaults'
# blend (the dense and the cross networks), as TrainConfig(arch=DEFAULT_ARCH, blend=None) trains it. Choosing one
# network trains that network alone (its cross-fitted members), unless 'Blend with' names another.
BLEND = "blend"
_FOLLOWED = "_train_arch_followed"  # the architecture whose layer sizes and dropout the form last took
WEIGHTED_KINDS = (BINARY, MULTICLASS, ORDINAL)  # 'Weight classes' means something only for classes
_FORM_OF = "_train_form_of"  # the training job (found after a reload) whose settings the form last took
_ENTITY = "_train_entity"  # (frame, target, entity column or None) of the loaded table, profiled once


FORM_KEYS = ("train_task", "train_arch", "train_window", *FORM_DEFAULTS)
# kept per file (ui/form_memory.py): the widgets, their shadow copies, and what the form last followed
FILE_KEYS = (*FORM_KEYS, *("_kept_" + k for k in FORM_KEYS), _SUGGESTED, _FOLLOWED, "_followed_train_split")


def follow_suggested_task(current: state.Dataset, *, job=None) -> None:
    """Seed the form's widgets: the task the Data page suggests (when it changed), else the values last used; after
    a reload, the settings of the training `job` this session found running or just ended (`follow_job`).

    A tab opened at the Train page's address (a reload, a bookmark) has no Data page choice yet: the task is the
    one the data's profile suggests, as the Data page would, never the first preset regardless of the data."""
    form_memory.follow_file(current, FILE_KEYS)  # another file: its own settings, or the defaults
    if not st.session_state.get(state.TASK):
        _task_from_data()
    suggested = st.session_state.get(state.TASK) or _RUN["task"]
    suggested = suggested if suggested in TASKS else _RUN["task"]
    if st.session_state.get(_SUGGESTED) != suggested:
        # The Data page suggested another task (new data or the analyst chose one there): follow it.
        st.session_state[_SUGGESTED] = suggested
        st.session_state["train_task"] = st.session_state["_kept_train_task"] = suggested
    remember({"train_task": suggested, "train_window": DEFAULT_WINDOW, **FORM_DEFAULTS})
    follow_job(job, current)


def _task_from_data() -> None:
    # the profile's suggestion, as the Data page would make it; the address's run is not restored here (restoring it
    # while the tab reloads in the middle of a search hid the search's table: tests/pages/test_browser_whatif_search)
    data = state.dataset()
    if data is not None:
        from finmodels.data.profiling import profile

        target = st.session_state.get(state.TARGET)
        st.session_state[state.TASK] = profile(data.frame, target=target if target in data.frame.columns else None).task


def follow_job(job, current: state.Dataset) -> None:
    """After a reload while a training runs (or just after it ended), the form shows that job's task and settings
    rather than the ones the data suggests, so the results below match it and pressing Train again trains what the
    analyst chose. `job` is the one this session found in the server's memory (ui.jobs.adopted), taken once, and
    only when it trains the loaded file."""
    if job is None or st.session_state.get(_FORM_OF) is job:
        return
    st.session_state[_FORM_OF] = job
    if job.data_name != current.name or job.rows not in (None, len(current.frame)):
        return
    config, kind = job.config, TASKS[job.config.task].kind
    follow_split(current)  # the data's default split is followed first, so the job's own comes after it
    hyper = config.hyperparameters
    values = {"train_task": config.task, "train_epochs": config.epochs, "train_patience": config.patience,
              "train_arch": BLEND if config.arch == DEFAULT_ARCH and config.blend is None
              and kind not in (FORECAST, ANOMALY) else config.arch,
              "train_blend": config.blend[0] if config.blend else "none", "train_lr": config.learning_rate,
              "train_batch": config.batch_size, "train_schedule": config.lr_schedule or "auto",
              "train_class_weight": config.class_weight, "train_seed": config.seed, "train_window": config.window,
              "train_members": config.members, "train_split": config.split, "train_var_level": config.var_level,
              "train_horizon": config.horizon, "train_risk_aversion": config.risk_aversion, "train_cap": config.cap}
    if getattr(hyper, "units", None) is not None:
        values["train_units"] = ", ".join(map(str, hyper.units))
    if getattr(hyper, "dropout", None) is not None:
        values["train_dropout"] = float(hyper.dropout)
    for key, value in values.items():
        st.session_state[key] = st.session_state["_kept_" + key] = value
    st.session_state[_FOLLOWED] = config.arch  # its layer sizes are the job's, not the network's defaults
    if config.event_label is not None:  # the event it trains on, as the Data page had it
        st.session_state[state.EVENT_LABEL] = config.event_label


def data_caption(current: state.Dataset, target: str | None) -> str:
    """The line under the Train heading: the file, its rows, the target and, for two classes, the risk event (the one
    chosen on Data, else the one training takes by default, as after a reload, which asks the Data page nothing)."""
    from finmodels.data.targets import binary_labels, default_event_label
    from ui.results import event_phrase

    text = f"Data: **{current.name}** · {len(current.frame):,} rows · target **{target or 'none'}**"
    if target is None or target not in current.frame.columns or len(binary_labels(current.frame[target])) != 2:
        return text
    event = st.session_state.get(state.EVENT_LABEL) or default_event_label(current.frame[target])
    return f"{text} · event {event_phrase(target, event)}"


def entity_column(current: state.Dataset) -> str | None:
    """The identifier column whose values repeat (a company rated several times, a borrower's loans), as the Data
    page's check found it with the analyst's roles, else as the profile finds it; None when there is none."""
    checked = st.session_state.get(data_choices.CHECK)
    if checked is not None and st.session_state.get(data_choices.FOR) is current:
        return checked[1].profile.entity_column
    target = st.session_state.get(state.TARGET)
    kept = st.session_state.get(_ENTITY)
    if kept is None or kept[0] is not current.frame or kept[1] != target:
        from finmodels.data.profiling import profile

        found = profile(current.frame, target=target if target in current.frame.columns else None)
        kept = (current.frame, target, found.entity_column if found.target is not None else None)
        st.session_state[_ENTITY] = kept
    return kept[2]


def follow_split(current: state.Dataset) -> str | None:
    """The Split box starts 'by entity' on a table whose entity repeats (the Data page advises it), else random; a
    choice the analyst makes is kept until other data is loaded. Returns the entity column."""
    entity = entity_column(current)
    follow("train_split", "entity" if entity else "random", source=(id(current.frame), entity))
    return entity


def other_file_note(result, current: state.Dataset | None) -> str:
    """' · trained on **corporate_rating.csv**, not on the loaded **credit_risk_dataset.csv**' when `result` was
    trained on another file than the loaded one (by the fingerprint the run keeps: a run named in the address while
    another file is loaded); '' when it is the loaded file's, or unknown."""
    info = getattr(result, "data_info", None) or {}
    if result is None or current is None or not info.get("fingerprint"):
        return ""
    if form_memory.fingerprint(current) == info["fingerprint"]:
        return ""
    return f" · trained on **{info.get('name') or 'another file'}**, not on the loaded **{current.name}**"


def keep_form() -> None:
    """Keep the form's values for the next visit (see ui/widgets.py)."""
    store(FORM_KEYS)


def follow_architecture() -> None:
    """When the network changes, its layer sizes and dropout start from its own defaults (the cross network's 64
    units and dropout 0.5, not the dense network's 32 and 0.3)."""
    arch = arch_of(st.session_state.get("train_arch"))
    if arch not in ARCHITECTURES or arch == st.session_state.get(_FOLLOWED, DEFAULT_ARCH):
        return  # from the blend to its dense network (or back): the same network, its sizes are kept
    st.session_state[_FOLLOWED] = arch
    defaults = ARCHITECTURES[arch].config_class()
    units = getattr(defaults, "units", None)
    if units is not None:
        st.session_state["train_units"] = ", ".join(map(str, units))
    if hasattr(defaults, "dropout"):
        st.session_state["train_dropout"] = float(defaults.dropout)


def fitting_architectures(task: TaskPreset, rows: int | None = None) -> list[str]:
    """The Network box's choices for `task`: first the default blend (BLEND) when table rows with a target of
    `rows` training rows get one, then the installed networks that fit; the network widget is kept among them."""
    fitting = [a for a in task.architectures if a in ARCHITECTURES]
    blend = fit_defaults(rows).blend if rows is not None and task.kind not in (FORECAST, ANOMALY) else ()
    if fitting and fitting[0] == DEFAULT_ARCH and blend and all(a in fitting for a in blend):
        fitting = [BLEND, *fitting]
    # the choice last made for this task comes back after a page switch, as the form's other values do (a Dense
    # network with 1 cross-fitted network must not come back as the blend, which refuses 1); another task starts
    # on its own first network
    chosen = last_value("train_arch") if st.session_state.get("_kept_train_task") == task.key else None
    if fitting and st.session_state.get("train_arch") not in fitting:
        st.session_state["train_arch"] = chosen if chosen in fitting else fitting[0]
        if st.session_state["train_arch"] == BLEND and st.session_state.get("train_members") == 1:
            st.session_state["train_members"] = None  # back to auto: a blend refuses 1 cross-fitted network
    return fitting


def arch_of(choice: str | None) -> str | None:
    """The architecture a Network choice trains first: the default network for BLEND, else the choice itself."""
    return DEFAULT_ARCH if choice == BLEND else choice


def network_label(choice: str, rows: int | None = None) -> str:
    """'Blend: dense + deep & cross networks (default)' for BLEND, else the architecture's label."""
    if choice != BLEND:
        return ARCHITECTURES[choice].label
    names = [ARCHITECTURES[a].label.split(" (")[0].replace(" network", "") for a in
             (DEFAULT_ARCH, *auto_blend(DEFAULT_ARCH, fit_defaults(rows or 0).blend))]
    return f"Blend: {' + '.join(names).lower()} networks (default)"


def network_description(choice: str) -> str:
    if choice != BLEND:
        return ARCHITECTURES[choice].description
    return ("The default: dense and deep & cross networks, each cross-fitted on the training and validation rows, "
            "blended by weights chosen on their out-of-fold predictions. The layer sizes and dropout below are the "
            "dense network's; the cross networks keep their defaults. Choose one network to train it alone.")


def class_weight_shown(task: TaskPreset) -> bool:
    """'Weight classes' only for tasks with classes (not for a regression, forecast or anomaly run)."""
    return task.kind in WEIGHTED_KINDS


def class_weight_input(task: TaskPreset, column) -> None:
    """The 'Weight classes' box in `column` of the form, level with the number inputs beside it, for tasks with
    classes."""
    if class_weight_shown(task):
        column.markdown("&nbsp;")
        column.checkbox("Weight classes", key="train_class_weight", help="Give the rare class as much weight as the "
                                                                         "common one.")


def var_level_label(level: float) -> str:
    return f"{level:.1%}".replace(".0%", "%")


def panel_of(frame, *, window: int):
    """The current price file read as a panel (one series per ticker), once per file and window; None when it is
    not a price file the panel reader takes (the Train job then says why)."""
    from finmodels.data.panels import read_panel

    kept = st.session_state.get(_PANEL)
    if kept is None or kept[0] is not frame or kept[1] != window:
        try:
            kept = (frame, window, read_panel(frame, window=window))
        except FinModelsError:
            kept = (frame, window, None)
        st.session_state[_PANEL] = kept
    return kept[2]


def holdings_upload(task: TaskPreset, frame) -> None:
    """For a forecast task on a file of several tickers: the holdings upload, what was read from it (or every
    problem with it), and the choice to normalise weights that do not add up. Keeps the result in HOLDINGS."""
    st.session_state[HOLDINGS] = None
    if task.kind != FORECAST:
        return
    panel = panel_of(frame, window=int(st.session_state.get("train_window", DEFAULT_WINDOW)))
    if panel is None or len(panel.tickers) < 2:
        return
    tickers = panel.tickers
    with st.container(border=True):
        st.markdown(f"**Portfolio** · {len(tickers)} tickers: {', '.join(tickers[:12])}"
                    + (" ..." if len(tickers) > 12 else ""))
        upload = st.file_uploader("Holdings file (optional): a ticker column and a weight (or percent) column, or a "
                                  "quantity column valued at each ticker's last price", type=["csv", "txt"],
                                  key="train_holdings_upload")
        if upload is None:
            st.caption(f"Without a holdings file the portfolio is equal weight: {1 / len(tickers):.1%} in each ticker.")
            return
        read = lambda normalise: read_holdings(load_csv(upload.getvalue()), tickers=tickers,  # noqa: E731
                                               last_prices=panel.last_prices(), normalise=normalise,
                                               normalise_hint=f"; tick '{NORMALISE}' below to do so")
        try:
            holdings = read(False)
        except DataError as exc:
            holdings = _normalised(read, exc)
        st.session_state[HOLDINGS] = INVALID if holdings is None else holdings
        if holdings is not None:
            for note in holdings.notes:
                st.caption(note)
            shown = holdings.weights.sort_values(ascending=False)
            st.caption(f"{upload.name}: {len(shown)} holdings, largest "
                       + ", ".join(f"{t} {w:.1%}" for t, w in shown.iloc[:5].items()) + ".")


def _normalised(read, problem: DataError) -> Holdings | None:
    """Holdings whose only problem is a sum other than 1 are offered normalising; other problems are shown."""
    try:
        fixed = read(True)
    except DataError:
        show_error(problem)
        return None
    if not st.session_state.get("train_normalise_holdings"):  # once ticked, the notes say what was divided
        st.warning(str(problem), icon=":material/warning:")
    if st.checkbox(NORMALISE, key="train_normalise_holdings"):
        return fixed
    return None


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
    choice, arch = arch, arch_of(arch)
    if choice == BLEND and form.get("train_members") == 1:
        st.error("The blend is chosen by its networks' out-of-fold predictions, so it needs 2 or more cross-fitted "
                 "networks. Set 'Cross-fitted networks' to 2 or more (or leave it on auto), or choose one network.")
        return None
    units = form["train_units"]
    try:
        sizes = parse_units(units)
    except ValueError:
        st.error(f"Hidden layer sizes must be whole numbers separated by commas, such as '64, 32'; got '{units}'.")
        return None
    base = ARCHITECTURES[arch].config_class()
    names = {f.name for f in dataclasses.fields(base)}
    wanted = {"units": sizes, "dropout": float(form["train_dropout"])} if sizes else \
        {"dropout": float(form["train_dropout"])}  # left empty: the network's own sizes
    lr, batch, schedule = form["train_lr"], form["train_batch"], form["train_schedule"]
    features = form.get(state.FEATURES)
    try:
        return TrainConfig(
            target=target, task=task, arch=arch,
            hyperparameters=dataclasses.replace(base, **{k: v for k, v in wanted.items() if k in names}),
            event_label=form.get(state.EVENT_LABEL), features=tuple(features) if features else None,
            categories=data_choices.categories(),
            epochs=int(form["train_epochs"]), batch_size=None if batch is None else int(batch),
            learning_rate=None if lr is None else float(lr), lr_schedule=None if schedule == "auto" else schedule,
            patience=int(form["train_patience"]),
            class_weight=bool(form["train_class_weight"]) and class_weight_shown(TASKS[task]),
            seed=int(form["train_seed"]), window=int(window), members=_whole(form.get("train_members")),
            blend=None if choice == BLEND or TASKS[task].kind in (FORECAST, ANOMALY) else
            blend_choice(form.get("train_blend")), split=form.get("train_split") or "random",
            **_portfolio_settings(task),
        )
    except FinModelsError as exc:
        show_error(exc)
        return None


def _whole(value) -> int | None:
    return None if value is None else int(value)


def _portfolio_settings(task: str) -> dict:
    """VaR level and horizon of a forecast run, the holdings, and an allocation run's risk aversion and cap."""
    form = st.session_state
    if TASKS[task].kind != FORECAST:
        return {}
    holdings = form.get(HOLDINGS)
    settings = {"var_level": float(form.get("train_var_level", _RUN["var_level"])),
                "horizon": int(form.get("train_horizon", _RUN["horizon"])),
                "holdings": holdings.as_dict() if isinstance(holdings, Holdings) else None}
    if task == "asset_allocation":
        settings.update(risk_aversion=float(form.get("train_risk_aversion", _RUN["risk_aversion"])),
                        cap=float(form.get("train_cap", _RUN["cap"])))
    return settings


def ensemble_inputs(task: TaskPreset, choice: str, rows: int) -> None:
    """Inside the form, for table rows with a target: how many networks are cross-fitted per architecture, the
    architecture blended with a chosen network (training.members and training.blend; for the BLEND choice its
    networks are said instead), and how the rows are split (TrainConfig.split)."""
    if task.kind in (FORECAST, ANOMALY):
        return
    auto = fit_defaults(rows)
    arch = arch_of(choice)
    others = [a for a in task.architectures if a in ARCHITECTURES and a != arch]
    if st.session_state.get("train_blend") not in ("none", *others):
        st.session_state["train_blend"] = "none"
    c1, c2, c3 = st.columns([1, 2, 2])
    entity = follow_split(state.dataset())
    c3.selectbox("Split", list(SPLIT_LABELS), key="train_split", format_func=SPLIT_LABELS.get,
                 help="How the rows are cut into training, validation and test. Random keeps the classes' shares in "
                      "each part. By entity keeps all rows of one company or borrower (the identifier column whose "
                      "values repeat) in one part, so the test rows are entities the model never saw; by date tests "
                      "the latest rows.")
    if entity:
        c3.caption(f"'{entity}' names entities with several rows each, so the split starts by entity, as the Data page "
                   "advises: a random split would test the model on entities it has already seen.")
    c1.number_input("Cross-fitted networks", 1, MAX_MEMBERS, key="train_members", placeholder=f"auto ({auto.members})",
                    help="Networks per architecture, each learning from all but one part of the training and "
                         "validation rows and stopping early on that part; their average is the model. 1 trains one "
                         f"network on the training rows and stops it on the validation rows. Auto: 5 up to "
                         f"{HUGE_TABLE_ROWS:,} training rows, else 1.")
    if choice == BLEND:
        c2.markdown("&nbsp;")
        c2.caption("Dense and deep & cross networks, as many of each as the cross-fitted networks (auto: "
                   f"{auto.members}), blended by weights chosen on their out-of-fold predictions. Choose one network "
                   "above to train it alone.")
        return
    c2.selectbox("Blend with", ["none", *others], key="train_blend",
                 format_func=lambda k: f"none ({ARCHITECTURES[arch].label} alone)" if k == "none" else
                 ARCHITECTURES[k].label,
                 help="Another architecture cross-fitted beside the chosen network, with its default settings; the "
                      "weights are chosen on out-of-fold predictions of the training and validation rows, never the "
                      "test rows. The layer sizes and dropout above are the chosen network's.")


def blend_choice(choice: str | None) -> tuple[str, ...]:
    """The form's 'Blend with' as TrainConfig.blend for a chosen network: 'none' (or a value kept from before,
    'auto') -> () (the network alone), an architecture -> it."""
    return () if choice in (None, "auto", "none") else (choice,)


def forecast_inputs(task: TaskPreset) -> int:
    """Inside the form, for forecast tasks: the window, VaR level and horizon, and for asset allocation the risk
    aversion and cap; returns the window (the default for other tasks)."""
    if task.kind != FORECAST:
        return DEFAULT_WINDOW
    c0, c1, c2, c3, c4 = st.columns(5)
    window = c0.number_input("Window (days per prediction)", 2, 500, key="train_window",
                             help="Days of history each prediction reads.")
    c1.selectbox("VaR level", VAR_LEVELS, format_func=var_level_label, key="train_var_level",
                 help="The confidence of the Value-at-Risk the backtest checks: at 99% a loss beyond it is expected "
                      "on about 1 day in 100.")
    c2.number_input("VaR horizon (days)", 1, 20, key="train_horizon",
                    help="Days the VaR covers; longer horizons are backtested on periods that do not overlap.")
    if task.key == "asset_allocation":
        c3.number_input("Risk aversion", 0.1, 100.0, step=0.5, key="train_risk_aversion",
                        help="Mean-variance: higher values trade expected return for lower volatility.")
        c4.slider("Most in one asset", 0.05, 1.0, step=0.05, format="percent", key="train_cap",
                  help="The cap per asset of the long-only weights.")
    return int(window)

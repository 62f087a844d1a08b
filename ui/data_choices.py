"""The Data page's choices, kept per table: the target and its event label, column roles, the task and the
features. A new table forgets the old table's choices; a new target forgets the old target's event label.

The Train page reads the outcome from ui/state.py (TARGET, EVENT_LABEL, TASK, FEATURES).
"""

from __future__ import annotations

import streamlit as st

from finmodels.data.profiling import CATEGORICAL, NUMERIC, TargetCandidate, pick_target, target_candidates
from finmodels.data.targets import default_event_label, encode_classes
from finmodels.data.tasks import FORECAST, ORDINAL, TASKS
from finmodels.data.validation import MIN_ROWS_PER_CLASS, DataCheck, Problem, check_data
from finmodels.errors import FinModelsError
from ui import session, state

FOR = "data_for"  # the Dataset the choices below belong to
ROLES = "data_roles"  # {column: role} the analyst changed
CHECK = "data_check"  # (signature of the choices, DataCheck)
TASK_FOR = "data_task_for"  # the signature the task and feature widgets were last set from
UPLOAD_ID = "data_upload_id"  # the file id of the last upload read, so a rerun does not read it again
CANDIDATES = "data_target_candidates"  # the table's target candidates (finmodels.data.profiling.TargetCandidate)
# The widgets whose values are the choices. Streamlit drops a widget's value when a page without it runs (any
# other page), so each is seeded again from the published choice (ui/state.py) when the Data page comes back.
NO_TARGET = "(none: a sequence or anomaly task)"
# The risk-event radio's key starts with EVENT_WIDGET and names the target and its labels (`event_widget`).
TARGET_WIDGET, EVENT_WIDGET, TASK_WIDGET, FEATURES_WIDGET = "data_target", "data_event", "data_task", "data_features"


def is_new_upload(uploaded) -> bool:
    """True once per uploaded file: a rerun of the page with the same file in the uploader is not a new upload."""
    if uploaded is None or st.session_state.get(UPLOAD_ID) == uploaded.file_id:
        return False
    st.session_state[UPLOAD_ID] = uploaded.file_id
    return True


def follow_dataset(current: state.Dataset) -> None:
    """On a new table (every load, even of a file seen before), forget the previous table's choices, profile it
    afresh and pick its target; on a return to the Data page, give the widgets back what was chosen."""
    if st.session_state.get(FOR) is current:
        _restore_widgets()
        return
    st.session_state[FOR] = current
    st.session_state[ROLES] = {}
    for key in (CHECK, TASK_FOR, state.FEATURES, state.TASK, TASK_WIDGET, FEATURES_WIDGET):
        st.session_state.pop(key, None)
    st.session_state[CANDIDATES] = target_candidates(current.frame)
    if st.session_state.get(state.TARGET) not in current.frame.columns:
        st.session_state[state.TARGET] = pick_target(current.frame)[0]
    # the target box still holds the previous table's choice (say none, for a price file): this table's wins
    st.session_state[TARGET_WIDGET] = st.session_state[state.TARGET]
    session.remember_target(st.session_state[state.TARGET])


def _restore_widgets() -> None:
    if TARGET_WIDGET not in st.session_state:
        st.session_state[TARGET_WIDGET] = st.session_state.get(state.TARGET)
    if TASK_WIDGET not in st.session_state and st.session_state.get(state.TASK) is not None:
        st.session_state[TASK_WIDGET] = st.session_state[state.TASK]
    if FEATURES_WIDGET not in st.session_state and st.session_state.get(state.FEATURES) is not None:
        st.session_state[FEATURES_WIDGET] = list(st.session_state[state.FEATURES])


def target_options(columns: list[str]) -> list[str | None]:
    """The target box's options: none, then the table's target candidates (named ones first), then the rest."""
    offered = [c.column for c in candidates() if c.column in columns]
    return [None, *offered, *(c for c in columns if c not in offered)]


def candidates() -> tuple[TargetCandidate, ...]:
    return st.session_state.get(CANDIDATES, ())


def target_labeler():
    """How the target box shows an option (a candidate says why it is offered), bound to this table's candidates."""
    reasons = {c.column: c.reason for c in candidates()}

    def label(column: str | None) -> str:
        if column is None:
            return NO_TARGET
        return f"{column} · {reasons[column]}" if column in reasons else str(column)

    return label


def choose_target(target: str | None) -> None:
    """Keep the analyst's target; a different one forgets the old target's event label."""
    if target != st.session_state.get(state.TARGET):
        st.session_state[state.TARGET] = target
        st.session_state.pop(state.EVENT_LABEL, None)
    session.remember_target(target)


def event_widget(target: str, labels: list[str], column) -> str:
    """The key of the risk-event radio of `target` with these `labels`, seeded with the event chosen before for this
    target, else the one the data suggests. A key of its own per target and labels: one key for every file let the
    browser keep the radio of the file before (Taiwan's '1', its second option) and show German credit's second
    option, 'good', chosen for a moment while the caption below already said "'bad' in 30.0%"."""
    key = f"{EVENT_WIDGET}:{target}:{'|'.join(labels)}"
    if st.session_state.get(key) not in labels:
        st.session_state[key] = event_label_default(labels, column)
    return key


def event_label_default(labels: list[str], column) -> str:
    """The event label chosen before for this target, else the one the data suggests."""
    chosen = st.session_state.get(state.EVENT_LABEL)
    return chosen if chosen in labels else default_event_label(column)


def check_signature(target: str | None, roles: dict) -> tuple:
    """What a table's check depends on besides the table: the target, the roles and the event label."""
    return target, tuple(sorted(roles.items())), st.session_state.get(state.EVENT_LABEL)


def checked(frame, target: str | None) -> DataCheck:
    """The table checked with the chosen target, roles and event label, rechecked only when one changes.

    After a new check the task and feature widgets (keys `data_task`, `data_features`) follow the data until the
    analyst changes them.
    """
    roles = st.session_state[ROLES]
    signature = check_signature(target, roles)
    cached = st.session_state.get(CHECK)
    if cached is None or cached[0] != signature:
        cached = (signature, check_data(frame, target=target, roles=roles, event_label=signature[2]))
        st.session_state[CHECK] = cached
    check = cached[1]
    if st.session_state.get(TASK_FOR) != signature:
        st.session_state[TASK_FOR] = signature
        st.session_state[TASK_WIDGET] = check.profile.task
        st.session_state[FEATURES_WIDGET] = list(check.features)
    return check


def problem_message(problem: Problem, frame, check: DataCheck) -> str:
    """A problem's message as the Data page shows it.

    Rare ratings are merged by training itself (finmodels.data.targets.encode_classes): rather than ask the analyst
    to merge them, say which ones training will merge.
    """
    found = check.profile
    if problem.code != "too_few_per_class" or found.target is None or TASKS[found.task].kind != ORDINAL:
        return problem.message
    try:
        _, _, notes = encode_classes(frame[found.target].dropna(), ordinal=True)
    except FinModelsError:  # labels that are not on a scale: the original advice stands
        return problem.message
    if not notes:
        return problem.message
    head = problem.message.split("; at least ")[0]
    merged = " ".join(n.split(": ", 1)[-1] for n in notes)
    return (f"{head}. Training merges each rare rating with its neighbour towards the middle of the scale, so that "
            f"every class has at least {MIN_ROWS_PER_CLASS} rows: {merged} Nothing to do, unless you would group "
            "them otherwise.")


def keep_task_and_features(task: str, features: list[str]) -> None:
    """Publish the chosen task and features for the Train page."""
    st.session_state[state.TASK] = task
    st.session_state[state.FEATURES] = list(features)


def categories() -> tuple[str, ...]:
    """The columns set to 'categorical' on this page: training reads them as categories (one-hot), whatever their type
    (codes such as 1, 2, 3 without an order), and says so."""
    return tuple(c for c, role in (st.session_state.get(ROLES) or {}).items() if role == CATEGORICAL)


def apply_role() -> None:
    """The role editor's Apply button: one column's role, from widgets `data_role_column` and `data_role_value`."""
    name, role = st.session_state["data_role_column"], st.session_state["data_role_value"]
    st.session_state[ROLES] = {**st.session_state[ROLES], name: role}


PRICE_NAMES = ("adj close", "adj_close", "close", "price")  # the price column a long price file's returns are of


def series_title(frame, found) -> str | None:
    """The title of the Data page's series section: 'Series per Name' for a long file of series, 'Price series' for a
    single price series without a target (a date and a price column, as a price task reads it), else None (the page
    draws distributions and correlations)."""
    from finmodels.data.price_gaps import series_of

    if found.series_columns is not None:
        return f"Series per {found.series_columns[0]}"
    if found.target is None and TASKS[found.task].kind == FORECAST and series_of(frame) is not None:
        return "Price series"
    return None


def price_series_chart(frame, found) -> None:
    """A single price series: a chosen numeric column over time (the price the task reads to start), or its daily
    log returns."""
    from finmodels.data.price_gaps import series_of
    from finmodels.plots.tickers import plot_price_series

    series = series_of(frame)
    numeric = [c for c in found.names(NUMERIC) if c != series.date]
    left, right = st.columns([3, 1])
    column = left.selectbox("Column", numeric, index=numeric.index(series.price) if series.price in numeric else 0,
                            key="data_series_column")
    right.markdown("&nbsp;")
    returns = right.toggle("Daily returns", key="data_series_returns",
                           help="log(value / the day before's value), as the network's 'return' input.")
    st.plotly_chart(plot_price_series(frame, column, date=series.date, returns=returns), key="data_series_chart")


def ticker_charts(frame, found) -> bool:
    """For a long file of series (Profile.series_columns: one row per ticker and day), each ticker's own series
    of a chosen column and the correlation of their daily returns, on the tickers chosen (the first
    MAX_TICKER_TRACES by rows to start); False for any other table, whose charts pool its rows."""
    from finmodels.plots.tickers import MAX_TICKER_TRACES, plot_return_correlation, plot_ticker_lines, ticker_list

    if found.series_columns is None:
        if series_title(frame, found) is None:
            return False
        price_series_chart(frame, found)
        return True
    ticker, date = found.series_columns
    numeric = found.names(NUMERIC)
    if not numeric:
        return False
    every = ticker_list(frame, ticker)
    if any(t not in every for t in st.session_state.get("data_tickers") or []):  # another file's tickers
        st.session_state.pop("data_tickers")
    chosen = st.multiselect(f"{ticker} (one line each, at most {MAX_TICKER_TRACES})", every,
                            default=every[:MAX_TICKER_TRACES], key="data_tickers",
                            max_selections=MAX_TICKER_TRACES)
    price = next((c for c in numeric if c.strip().lower() in PRICE_NAMES), numeric[0])
    left, right = st.columns([3, 1])
    column = left.selectbox("Column", numeric, index=numeric.index(price), key="data_ticker_column")
    right.markdown("&nbsp;")
    rebase = right.toggle("Each from 100", key="data_ticker_rebase",
                          help="Start each series at 100 on its first day, to compare how they moved rather than "
                               "their levels (AMZN's 1,000s beside BAC's 15s).")
    if not chosen:
        st.info(f"Choose one or more values of '{ticker}' to draw their series.")
        return True
    st.plotly_chart(plot_ticker_lines(frame, column, ticker=ticker, date=date, tickers=chosen, rebase=rebase),
                    key="data_ticker_lines")
    if len(chosen) > 1:
        st.plotly_chart(plot_return_correlation(frame, price, ticker=ticker, date=date, tickers=chosen),
                        key="data_ticker_corr")
    return True

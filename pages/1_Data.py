"""Data: load a CSV or a sample, see what the tool understood (roles, target, problems), adjust it."""

import streamlit as st

from finmodels.data.profiling import ROLES, TARGET
from finmodels.data.samples import SAMPLES
from finmodels.data.targets import binary_labels, event_name
from finmodels.data.tasks import REGRESSION, TASKS
from finmodels.data.validation import feature_problems
from finmodels.plots.data import plot_correlation, plot_distribution, plot_target_balance
from ui import data_choices, missing_note, navigation, state
from ui.layout import page_header
from ui.loading import load_sample_into_session, load_upload_into_session
from ui.messages import opened_data_note, read_notes_message
from ui.results import event_phrase
from ui.tiles import text_tile

page_header("Data")

left, right = st.columns(2)
with left:
    uploaded = st.file_uploader("Upload a CSV or Parquet file", type=["csv", "txt", "parquet"], key="data_upload")
    if data_choices.is_new_upload(uploaded):
        load_upload_into_session(uploaded)
with right:
    choice = st.selectbox("Or a sample", list(SAMPLES), format_func=lambda k: SAMPLES[k].label, key="data_sample")
    if st.button("Load sample", key="data_load_sample"):
        load_sample_into_session(choice)

current = state.dataset()
if current is None:
    st.info("Upload a CSV file, or load a sample, to begin.")
    st.stop()

frame = current.frame
columns = list(frame.columns)
data_choices.follow_dataset(current)

st.subheader(current.name)
opened_data_note(current)
read_notes_message(frame)

# The table's target candidates come first (named ones, then other 0/1 columns), each saying why it is offered.
target = st.selectbox("Target column (what the model predicts)", data_choices.target_options(columns),
                      format_func=data_choices.target_labeler(), key=data_choices.TARGET_WIDGET,
                      placeholder=data_choices.NO_TARGET)  # shown when the value is None
data_choices.choose_target(target)

if target is not None:
    labels = binary_labels(frame[target])
    if len(labels) == 2:
        event = st.radio("Which value is the risk event (default)?", labels, horizontal=True,
                         format_func=lambda label: event_name(target, label),
                         key=data_choices.event_widget(target, labels, frame[target]))  # a key per target
        st.session_state[state.EVENT_LABEL] = event

check = data_choices.checked(frame, target)
found = check.profile

cols = st.columns(4)
cols[0].metric("Rows", f"{found.rows:,}")
cols[1].metric("Columns", f"{len(found.columns):,}")
cols[2].metric("Features", f"{len(check.features):,}")
text_tile(cols[3], "Target", found.target or "none")  # st.metric cut a long name: 'default_pay…'

if found.target is not None:
    if found.event_label is not None:
        share = found.target_balance.get(found.event_label, 0) / max(sum(found.target_balance.values()), 1)
        st.caption(f"{event_phrase(found.target, found.event_label)} in {share:.1%} of rows.")
    if TASKS[found.task].kind == REGRESSION:
        figure = plot_distribution(frame, found.target)
    else:
        figure = plot_target_balance(found.target_balance, target=found.target, event_label=found.event_label)
    st.plotly_chart(figure, key="data_balance_chart")
else:
    st.caption("No target: this file suits a task that learns from the rows themselves "
               f"({', '.join(TASKS[k].label for k in (found.task, *found.other_tasks))}).")

missing_note.show(frame, found)  # which cells are missing, what they held, what the model does with them
if check.problems:
    st.subheader("Checks")
    st.caption(f"{len(check.errors)} to fix before training, {len(check.warnings)} to know about: each names the "
               "column, the rows by their line in the file (the header is line 1) and what to do.")
for problem in check.problems:  # errors first
    (st.error if problem in check.errors else st.warning)(data_choices.problem_message(problem, frame, check))

# The task and the features follow the data until the user changes them (data_choices.checked).
task = st.selectbox("Task", list(TASKS), format_func=lambda k: TASKS[k].label, key=data_choices.TASK_WIDGET)
st.caption(TASKS[task].description)
features = st.multiselect("Features (columns the model uses)", [c for c in columns if c != found.target],
                          key=data_choices.FEATURES_WIDGET)
data_choices.keep_task_and_features(task, features)
for problem in feature_problems(found, features, task=task, frame=frame):  # a price task: what its network reads
    st.warning(problem.message)

st.subheader("Columns")
st.dataframe(found.table(), key="data_roles_table", hide_index=True)
with st.expander("Change a column's role"):
    st.selectbox("Column", [c for c in columns if c != found.target], key="data_role_column")
    st.selectbox("Role", [r for r in ROLES if r != TARGET], key="data_role_value")
    st.button("Apply", key="data_role_apply", on_click=data_choices.apply_role)

if (series_title := data_choices.series_title(frame, found)) is not None:  # a price file: its series, not pooled
    st.subheader(series_title)
    data_choices.ticker_charts(frame, found)
else:
    st.subheader("Distributions and correlations")
    first = check.features[0] if check.features else columns[0]
    shown = st.selectbox("Column", columns, index=columns.index(first), key="data_dist_column")
    st.plotly_chart(plot_distribution(frame, shown, target=found.target, event_label=found.event_label,
                                      flagged=check.flagged(frame, shown),
                                      categorical=shown in data_choices.categories()), key="data_dist_chart")
    st.plotly_chart(plot_correlation(frame, [*check.features, *([found.target] if found.target else [])],
                                     categorical=data_choices.categories()), key="data_corr_chart")

st.subheader("First rows")
preview = frame.head(100)  # numbered by line of the file, as the checks name rows (row 0 is line 2)
st.dataframe(preview.set_axis(range(2, len(preview) + 2)).rename_axis("line"), key="data_preview")
if not check.errors:
    navigation.next_step(navigation.TRAIN, "Next: train a model")

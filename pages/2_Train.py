"""Train: pick the task and network, set its hyperparameters, and train it in the background with live progress."""

import streamlit as st

from finmodels.data.tasks import FORECAST, TASKS, get_task
from finmodels.models.training import LARGE_TABLE_ROWS, LR_SCHEDULES, expected_train_rows, fit_defaults
from finmodels.models.training.members import run_networks
from finmodels.plots.training import plot_loss_curve
from ui import jobs, navigation, search_views, state, train_checks, train_form
from ui.jobs import adopted, clock_at_end, collect, keep, kept, progress_text, start_training, warm_up
from ui.layout import page_header
from ui.messages import opened_data_note, require_dataset_message, show_error
from ui.results import describe_run, metric_tiles, training_summary

page_header("Train")

current = state.dataset()
target = st.session_state.get(state.TARGET)
if current is None:
    require_dataset_message()
    st.stop()
rows = expected_train_rows(len(current.frame))  # what the network will learn from, as the defaults read it

job = kept(state.JOB)
collect(job)
warm_up()
train_form.follow_suggested_task(current, job=adopted(state.JOB))  # a reload shows the running job's form

st.caption(train_form.data_caption(current, target))
opened_data_note(current, where="on the **Data** page")
blocked = train_checks.show_blocking(current, target)  # the Data page's problems that stop training, up front
left, right = st.columns(2)
with left:
    task_key = st.selectbox("Task", list(TASKS), format_func=lambda k: TASKS[k].label, key="train_task")
    task = get_task(task_key)
    st.caption(task.description)
if target is None and task.needs_target:
    st.info(f"The {task.label.lower()} task predicts a target column, and none is chosen. Choose the target on the "
            "**Data** page, or pick a forecast or anomaly task, which learn from the rows themselves.")
    navigation.link_to(navigation.DATA)
    st.stop()
with right:
    fitting = train_form.fitting_architectures(task, rows)
    if not fitting:
        st.error(f"No network for the {task.label.lower()} task is installed yet. Pick another task.")
        st.stop()
    choice = st.selectbox("Network", fitting, key="train_arch", format_func=lambda k: train_form.network_label(k, rows))
    train_form.follow_architecture()  # its own layer sizes and dropout, also when the task preselects it (an LSTM)
    st.caption(train_form.network_description(choice))
    arch = train_form.arch_of(choice)
train_form.holdings_upload(task, current.frame)

with st.form("train_form"):
    st.markdown("**Hyperparameters**")
    c1, c2, c3, c9, c4 = st.columns(5)
    c1.text_input("Hidden layer sizes", key="train_units", placeholder="the network's own",
                  help="Units per layer, first to last, e.g. 64, 32. Left empty: the network's own sizes.")
    c2.number_input("Dropout", 0.0, 0.9, step=0.05, key="train_dropout")
    auto = fit_defaults(rows, sequence=task.kind == FORECAST)
    c3.number_input("Learning rate", 1e-5, 0.5, step=1e-4, format="%.4f", key="train_lr",
                    placeholder=f"auto ({auto.learning_rate:g})",
                    help="Leave empty for the default measured for a table of this size.")
    c9.selectbox("Learning-rate schedule", ["auto", *LR_SCHEDULES], key="train_schedule",
                 format_func=lambda s: train_form.schedule_label(s, auto=auto.lr_schedule),
                 help=f"Auto: the schedule measured for a table of this size (cosine decay from "
                      f"{LARGE_TABLE_ROWS:,} training rows, else constant).")
    c4.number_input("Batch size", 8, 4096, step=8, key="train_batch", placeholder=f"auto ({auto.batch_size})",
                    help="Leave empty for the default measured for a table of this size.")
    c5, c6, c7, c8 = st.columns(4)
    c5.number_input("Max epochs", 1, 1000, key="train_epochs")
    c6.number_input("Early stopping patience", 1, 200, key="train_patience",
                    help="Stop when validation loss has not improved for this many epochs; the best weights are kept.")
    c7.number_input("Seed", 0, 1_000_000, key="train_seed")
    train_form.class_weight_input(task, c8)
    train_form.ensemble_inputs(task, choice, rows)
    window = train_form.forecast_inputs(task)
    busy = job is not None and job.running
    submitted = st.form_submit_button("Train", type="primary", disabled=busy or blocked)
train_form.keep_form()

if submitted and not (busy or blocked):
    config = train_form.build_config(target=target, task=task_key, arch=choice, window=window)
    if st.session_state.get(train_form.HOLDINGS) == train_form.INVALID:
        st.error("The holdings file cannot be used as it is (see above). Fix it, or remove it to train on equal weight.")
    elif config is not None:
        keep(state.JOB, start_training(current.frame, config, data_name=current.name))

job = kept(state.JOB)
if job is not None and job.running:
    @st.fragment(run_every=0.5)
    def live_progress():
        running = st.session_state[state.JOB]
        if not running.running:
            st.rerun()  # the whole page, so the results appear and the polling stops
        # the job's own file and target: the analyst may have loaded another file since pressing Train
        st.caption(f"Training: {describe_run(running.config, blended=running.blended())} on **{running.data_name}**")
        st.progress(running.fraction, text=progress_text(running))
        if st.button("Stop", key="train_stop", icon=":material/stop_circle:", disabled=running.stop_requested):
            running.stop()
        if running.epochs_done:
            st.plotly_chart(plot_loss_curve(running.history, title="Loss per epoch (live)", planned=running.planned,
                                            networks=running.networks, training=jobs.network_in_training(running)),
                            key="train_live")

    live_progress()
elif job is not None and job.error is not None:
    show_error(job.error)

with st.expander("Hyperparameter search (optuna)", expanded=kept(search_views.SEARCH) is not None):
    search_views.search_section(target=target, task=task_key, arch=arch, window=window,
                                busy=job is not None and job.running)

result = state.run()
elsewhere = train_form.other_file_note(result, current)  # a run of another file, named in the address
if result is not None and not (elsewhere and job is not None and job.running):  # never under this file's training
    st.subheader("Held-out test results")
    training_summary(result, clock=clock_at_end(job, result), note=elsewhere)  # total and fit; the rest expands
    metric_tiles(result)
    st.plotly_chart(plot_loss_curve(result.history, networks=run_networks(result)), key="train_loss_curve")
    navigation.next_step(navigation.EVALUATE, "Next: evaluate the model in detail")

"""Train: choose the network's settings, train it with live progress, see the headline metrics."""

import streamlit as st

from finmodels.architectures import ARCHITECTURES, MLPConfig
from finmodels.errors import FinModelsError
from finmodels.metrics import METRIC_LABELS
from finmodels.plots.training import plot_loss_curve
from finmodels.training import TrainConfig, train
from ui import state
from ui.messages import require_dataset_message, show_error

st.set_page_config(page_title="Train · Risk model studio", layout="wide")
st.title("Train")

current = state.dataset()
target = st.session_state.get(state.TARGET)
if current is None or target is None:
    require_dataset_message()
    st.stop()

st.caption(f"Data: {current.name} · target: **{target}** · event: **{st.session_state.get(state.EVENT_LABEL)}**")
with st.form("train_form"):
    arch = st.selectbox("Architecture", list(ARCHITECTURES), format_func=lambda k: ARCHITECTURES[k].label,
                        key="train_arch")
    st.caption(ARCHITECTURES[arch].description)
    c1, c2, c3, c4 = st.columns(4)
    units = c1.text_input("Hidden layer sizes", "64, 32", key="train_units")
    dropout = c2.number_input("Dropout", 0.0, 0.9, 0.2, 0.05, key="train_dropout")
    epochs = c3.number_input("Max epochs", 1, 500, 100, key="train_epochs")
    seed = c4.number_input("Seed", 0, 10_000, 0, key="train_seed")
    submitted = st.form_submit_button("Train", type="primary")

if submitted:
    try:
        sizes = tuple(int(u) for u in units.replace(";", ",").split(",") if u.strip())
        config = TrainConfig(
            target=target, event_label=st.session_state.get(state.EVENT_LABEL), arch=arch,
            hyperparameters=MLPConfig(units=sizes, dropout=float(dropout)), epochs=int(epochs), seed=int(seed),
        )
    except ValueError:
        st.error(f"Hidden layer sizes must be whole numbers separated by commas, such as '64, 32'; got '{units}'.")
        config = None
    except FinModelsError as exc:
        show_error(exc)
        config = None
    if config is not None:
        progress = st.progress(0.0, text="Preparing data...")
        chart = st.empty()
        history = {"loss": [], "val_loss": []}

        def on_epoch(epoch: int, logs: dict) -> None:
            history["loss"].append(logs.get("loss"))
            history["val_loss"].append(logs.get("val_loss"))
            progress.progress(min(1.0, (epoch + 1) / config.epochs),
                              text=f"Epoch {epoch + 1} of at most {config.epochs} · val loss {logs.get('val_loss', 0):.4f}")
            chart.plotly_chart(plot_loss_curve(history), key=f"train_live_{epoch}")

        try:
            result = train(current.frame, config, on_epoch=on_epoch)
        except FinModelsError as exc:
            show_error(exc)
        else:
            state.set_run(result)
            chart.empty()
            progress.progress(1.0, text=f"Done in {result.seconds['total']:.1f} s "
                                        f"({len(result.history['loss'])} epochs, best weights kept).")

result = state.run()
if result is not None:
    st.subheader("Held-out test results")
    cols = st.columns(5)
    for col, name in zip(cols, ("roc_auc", "accuracy", "precision", "recall", "f1")):
        col.metric(METRIC_LABELS[name], f"{result.metrics[name]:.3f}")
    st.plotly_chart(plot_loss_curve(result.history), key="train_loss_curve")
    st.page_link("pages/3_Evaluate.py", label="Next: evaluate", icon=":material/arrow_forward:")

"""Score: a new file through this session's model or a saved bundle: scores, decisions, reason codes and drift."""

import streamlit as st

from finmodels.data.tasks import BINARY, FORECAST
from finmodels.errors import FinModelsError
from finmodels.evaluation.monitoring import MAJOR, MODERATE, sample_note
from finmodels.plots.monitoring import plot_bins, plot_stability
from ui import caches, decisions, forecasts, score_checks, score_views, state
from ui.layout import page_header
from ui.messages import show_error
from finmodels.delivery.bundle_identity import bundle_file_name
from finmodels.delivery.runs import result_name
from ui.results import describe_result

page_header("Score", caption="Score new applications or accounts with a trained model: each row gets its score, a "
            "decision and the reasons behind it, and the file is checked for drift against the training data.")

run = state.run()
champion = caches.champion_id()
if run is None and champion is None and score_views.kept_bundle() is None \
        and st.session_state.get("score_bundle_upload") is None:  # a bundle uploaded here is a model
    st.info("No model trained in this session yet: train one on the **Train** page, or load a bundle saved earlier.")
SOURCES = {"champion": "The champion (promoted on the Runs page)", "session": "The current run",
           "bundle": "A saved bundle file"}
sources = [s for s, ok in (("champion", champion is not None and (run is None or run.run_id != champion)),
                           ("session", run is not None), ("bundle", True)) if ok]
source = st.radio("Model", sources, horizontal=True, key="score_source", format_func=SOURCES.get,
                  index=sources.index("bundle") if score_views.kept_bundle() is not None else 0)

model = None
if source in ("champion", "session"):
    model = run if source == "session" else caches.kept_run(champion)
if model is not None:
    st.caption(describe_result(model) + (" · the champion" if model.run_id == champion else "")
               + f" · trained on {(model.data_info or {}).get('name', 'the session data')}.")
    if st.button("Prepare the model bundle for download", key="score_prepare_bundle",
                 icon=":material/inventory_2:"):
        caches.bundle_for_download(model)
    prepared = caches.prepared_bundle(model)
    if prepared is not None:
        st.download_button("Download model bundle (.zip)", prepared,
                           file_name=bundle_file_name(model.config.task, model.run_id, result_name(model)),
                           mime="application/zip",
                           key="score_download_bundle", icon=":material/download:")
elif source == "bundle":
    model = score_views.bundle_model()
if model is None:
    st.stop()

kind = getattr(model, "kind", BINARY)
if kind == FORECAST:
    prices = st.file_uploader("Price file to forecast from (the training file's layout, up to the latest day)",
                              type=["csv", "txt"], key="score_prices",
                              help="Each ticker's last window gives its forecast; the file's last 250 days of "
                                   "returns give the assets' correlation.")
    found = None if prices is None else caches.next_day_forecast(prices, model)
    if found is not None:
        forecasts.next_day(*found)
    st.stop()
threshold = None
if kind == BINARY:
    start = decisions.decision_threshold(model)[0] if source != "bundle" else score_views.bundle_threshold(model)
    threshold = st.slider("Decision threshold", 0.0, 1.0, float(0.5 if start is None else start), 0.01,
                          key="score_threshold",
                          help="Rows scored at or above it are flagged. The Evaluate page finds the least-cost one.")

upload = st.file_uploader("New file to score (CSV with the training columns)", type=["csv", "txt"],
                          key="score_upload")
scored = score_views.scored_file(upload, model, threshold=threshold)
if scored is None:
    st.stop()
name, result, kept = scored

st.subheader(f"{name}: {len(result.table):,} rows scored{score_checks.rows_phrase(result)}")
if kept:
    st.caption("The last file scored with this model in your area (uploads stay in the server's memory only): "
               "upload a file above to score another.")
score_checks.show_file_messages(result)
names = score_views.decision_names(model, result)
counts = result.decision_counts().rename(index=names)
if len(counts):
    cols = st.columns(len(counts) + 1)
    cols[0].metric("Rows", f"{len(result.table):,}")
    for col, decision in zip(cols[1:], sorted(counts.index, key=lambda d: d != "not flagged")):
        col.metric(decision.capitalize(), f"{counts[decision]:,}",
                   help=f"{counts[decision] / len(result.table):.1%} of rows, at threshold {result.threshold:.2f}")
score_views.explain_rest(model, name, result)
score_views.scored_rows(model, name, result, names)

st.subheader("Stability against the training data")
st.caption(score_views.stability_text(result.stability, MODERATE, MAJOR))
if small := sample_note(len(result.table)):
    st.warning(small, icon=":material/info:")
st.plotly_chart(plot_stability(result.stability), key="score_stability")
column = st.selectbox("Bins of one column", list(result.stability["name"].iloc[1:]), key="score_psi_column")
if column:
    try:
        st.plotly_chart(plot_bins(result.bins(column), column=column), key="score_bins")
    except FinModelsError as exc:
        show_error(exc)
with st.expander("Stability table"):
    st.dataframe(result.stability, key="score_stability_table")

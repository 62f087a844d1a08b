"""Report: one self-contained HTML file of the current run, to send to someone who does not run the tool."""

import streamlit as st

from finmodels.data.tasks import BINARY
from finmodels.delivery.report import build_report
from finmodels.delivery.runs import result_name
from finmodels.errors import FinModelsError
from ui import caches, decisions, dependence_views, score_views, state
from ui.kept import kept as kept_with_run
from ui.kept import keepable, kept_explanation
from ui.layout import page_header
from ui.messages import require_run_message, show_error

REPORT_INPUTS = "report_inputs"  # what the kept report was built from

page_header("Report")

result = require_run_message()
record = next((r for r in state.runs() if r.result is result), None)
data_name = record.data_name if record else (result.data_info or {}).get("name") or \
    (state.dataset().name if state.dataset() else "uploaded data")
# the explanation seen on Explain: in this tab, else kept with the run (computed in another tab, or before a reload)
explanation = st.session_state.get(state.EXPLANATION) or kept_explanation(result)
if explanation is None and result.frame is not None and \
        st.button("Add what drives the model (SHAP on the test rows, computed now)", key="report_explain",
                  icon=":material/psychology:", help="The explanation the **Explain** page shows: importance and the "
                                                     "reason codes of the highest-scored rows."):
    explanation = caches.explanation(result)
decision = decisions.report_decision(result)  # set on Evaluate in this session, else kept with the run, else None
scored = score_views.last_scored(result)  # scored on Score in this session, else kept for the area (a reload)
included = ["data summary", "the settings that apply to this task", "test metrics beside the baselines"]
if result.kind == BINARY:
    kept_on = f" ({decision.chosen})" if decision is not None and decision.kept else ""
    included.append(f"the decision at threshold {decision.threshold:.2f} with its cost matrix and confusion matrix"
                    + kept_on if decision is not None else "the decision at the least-cost threshold for the default "
                    "costs (set your own on the **Evaluate** page)")
included.append("every evaluation chart (interactive, works offline)")
if explanation is not None:
    of = f" of class {explanation.target_class}" if result.kind != BINARY and explanation.target_class else ""
    included.append(f"what drives the model, with reason codes{of} ({explanation.explainer} on "
                    f"{len(explanation.predictions):,} test rows, as the **Explain** page shows them)"
                    + (", and how the score moves with its three most important columns (partial dependence)"
                       if explanation.lag_values is None else ""))
else:
    included.append("(not yet what drives the model: add it with the button above, or open **Explain**)")
kept_results = kept_with_run(result)  # fairness, what-ifs and the search kept with the run in the workspace
included += [f"the {name} kept with this run" for name, key in (("fairness by protected columns", "fairness"),
             ("what-ifs", "whatif"), ("hyperparameter search", "search")) if kept_results.get(key)]
if scored is not None:
    included.append(f"the scored file *{scored[0]}* with its flags and drift")
name = f"run {result_name(result)}" if keepable(result) else record.label if record else "the current run"
st.markdown(f"A single HTML file of **{name}** on *{data_name}*, with:\n"
            + "\n".join(f"- {item}" for item in included))
# A report built before the threshold, the costs, the explanation or the scored file changed would not say what
# the pages now say: it is dropped, and the button builds it again.
inputs = (decision, scored[0] if scored else None, id(scored[1]) if scored else None, explanation is not None,
          tuple((k, id(v)) for k, v in kept_results.items()))
if st.session_state.get(REPORT_INPUTS) != inputs:
    st.session_state[REPORT_INPUTS] = inputs
    st.session_state.pop(state.REPORT, None)
if st.button("Build the report", key="report_build", type="primary", icon=":material/description:"):
    with st.spinner("Building the report..."):
        try:
            st.session_state[state.REPORT] = build_report(
                result, data_name=data_name, explanation=explanation, decision=decision, scored=scored,
                kept=kept_results, dependence=dependence_views.for_report(result, explanation))
        except FinModelsError as exc:
            show_error(exc)
built = st.session_state.get(state.REPORT)
if built is not None:
    size = len(built.encode("utf-8")) / 1e6
    st.download_button(f"Download the report (HTML, {size:.1f} MB)", built.encode("utf-8"),
                       file_name=f"report_{result.config.task}_{result.config.arch}.html", mime="text/html",
                       key="report_download", icon=":material/download:")

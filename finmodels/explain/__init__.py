"""Explanations: the fourth stage. A fitted model's outputs become SHAP values in the data's own columns.

`explanation` explains a run or a bundle (`explain_result`, `explain_bundle`); `explainers` chooses and runs
the SHAP explainer an architecture supports; `permutation` is the model-agnostic fallback; `background`
picks the reference rows; `outputs` says which output is explained and on what scale; `reasons` turns a row's
contributions into reason codes.
"""

from finmodels.explain.explanation import Explanation, explain_bundle, explain_result
from finmodels.explain.outputs import output_name
from finmodels.explain.reasons import reason_codes

__all__ = ["Explanation", "explain_bundle", "explain_result", "output_name", "reason_codes"]

"""Explanations: the fourth stage. A fitted model's outputs become SHAP values in the data's own columns.

`explanation` explains a run or a bundle (`explain_result`, `explain_bundle`); `explainers` chooses and runs
the SHAP explainer an architecture supports; `permutation` is the model-agnostic fallback; `background`
picks the reference rows; `outputs` says which output is explained and on what scale; `reasons` turns a row's
contributions into reason codes; `whatif` edits one row in the data's own units and shows the score, the
decision and the contributions before and after, with a counterfactual per numeric input within its training
range (`what_if`, `WhatIf`, `counterfactuals`, `training_ranges`, `pick_row`); `labels` names explained rows by
their company (or borrower, ticker) and date; `drivers` flags drivers that describe the record rather than the
borrower (who rated it, an identifier, a date) with what to do; `dependence` scores sampled test rows with one column
moved across its training values (partial dependence and ICE lines) and says whether the score rises, falls or turns.
"""

from finmodels.explain.explanation import Explanation, explain_bundle, explain_result
from finmodels.explain.outputs import output_name
from finmodels.explain.reasons import reason_codes
from finmodels.explain.whatif import Counterfactual, WhatIf, counterfactuals, pick_row, training_ranges, what_if

__all__ = ["Counterfactual", "Explanation", "WhatIf", "counterfactuals", "explain_bundle", "explain_result",
           "output_name", "pick_row", "reason_codes", "training_ranges", "what_if", "whatif"]

"""Governance: what a model-risk team reads before it signs: fairness by protected columns and the model document."""

import streamlit as st

from ui import governance, governance_run, kept
from ui.layout import page_header
from ui.messages import require_run_message

page_header("Governance", caption="Before a credit committee signs: how the model's decisions differ between groups "
            "of a protected attribute, and the model document a validator reads.")

result = require_run_message()
governance_run.run_banner(result)  # which run is analysed, and the area's champion when it is another
governance.fairness_section(result)
kept.keep_fairness(result)  # the reports drawn above, stored with the run for the Report page
st.divider()
governance.document_section(result)

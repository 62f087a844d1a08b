"""The dashboard's pages in one registry: where each lives, its label, icon and one-line blurb.

app.py's navigation and step cards, every page link and every page switch read this registry, so a page is
renamed or moved in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st


@dataclass(frozen=True)
class Page:
    """One step an analyst takes: the script under pages/, its label in the sidebar, its icon and blurb."""

    path: str
    label: str
    icon: str
    blurb: str


DATA = Page("pages/1_Data.py", "Data", ":material/table:",
            "Upload a CSV or load a sample; check what was understood; pick the target.")
TRAIN = Page("pages/2_Train.py", "Train", ":material/model_training:",
             "Pick the task and network; train it with live progress beside its baselines (logistic regression, gradient boosting, a scorecard).")
EVALUATE = Page("pages/3_Evaluate.py", "Evaluate", ":material/analytics:",
                "Held-out metrics, ROC, KS, calibration, lift; a threshold with its cost.")
EXPLAIN = Page("pages/4_Explain.py", "Explain", ":material/psychology:",
               "SHAP in your own columns: what drives the model, and why one row scores as it does.")
SCORE = Page("pages/5_Score.py", "Score", ":material/fact_check:",
             "Score a new file: predictions, decisions, reason codes and drift; download the model.")
RUNS = Page("pages/6_Runs.py", "Runs", ":material/compare:", "Compare the runs of this session side by side.")
REPORT = Page("pages/7_Report.py", "Report", ":material/description:",
              "One self-contained HTML report of a run, to send to anyone.")
GOVERNANCE = Page("pages/8_Governance.py", "Governance", ":material/policy:",
                  "Before a committee signs: fairness by protected groups and the model document.")

STEPS: tuple[Page, ...] = (DATA, TRAIN, EVALUATE, EXPLAIN, SCORE, RUNS, REPORT, GOVERNANCE)
NEXT_ICON = ":material/arrow_forward:"


def link_to(page: Page, *, label: str | None = None) -> None:
    """A link to `page` with its own icon: `Go to Data`, unless `label` says otherwise."""
    st.page_link(page.path, label=label or f"Go to {page.label}", icon=page.icon)


def next_step(page: Page, label: str) -> None:
    """The link at the foot of a page to the step that follows it."""
    st.page_link(page.path, label=label, icon=NEXT_ICON)


def switch_to(page: Page) -> None:
    st.switch_page(page.path)

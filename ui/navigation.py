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
            "Upload a CSV (a loan book, card history, ratings, or daily prices of one or many tickers) or load a "
            "sample; check what was understood; pick the target.")
TRAIN = Page("pages/2_Train.py", "Train", ":material/model_training:",
             "Pick the task and network; train it with live progress beside its baselines (logistic regression, gradient boosting, a scorecard).")
EVALUATE = Page("pages/3_Evaluate.py", "Evaluate", ":material/analytics:",
                "Held-out metrics, ROC, KS, calibration, lift and a threshold with its cost; for a price file, the "
                "VaR backtest (Kupiec, Christoffersen, Basel zone) and an allocation's walk-forward.")
EXPLAIN = Page("pages/4_Explain.py", "Explain", ":material/psychology:",
               "SHAP in your own columns: what drives the model, and why one row scores as it does.")
SCORE = Page("pages/5_Score.py", "Score", ":material/fact_check:",
             "Score a new file: predictions, decisions, reason codes and drift; download the model.")
RUNS = Page("pages/6_Runs.py", "Runs", ":material/compare:", "Compare the runs of your workspace area side by side.")
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


def app_navigation():
    """The app's sidebar: Home (ui.home) and every step; returns the page the address asks for, to run."""
    from ui.home import home

    pages = [st.Page(home, title="Home", icon=":material/home:", default=True)]
    pages += [st.Page(step.path, title=step.label, icon=step.icon) for step in STEPS]
    return st.navigation(pages)


def through_app() -> None:
    """Give a page opened on its own the app's sidebar. A server's first session opened on a page's address (a
    bookmark after a restart: /Evaluate?run=...) runs before app.py has ever called st.navigation, so Streamlit
    still takes pages/ for an old-style pages folder: it runs the page alone, under a sidebar of file names ('app',
    no Home, no icons) until '/' is opened. Declaring the app's navigation here puts the app's sidebar in its place
    (the page itself goes on: its address names the same page) and makes every later run go through app.py.
    Every page's header calls this first; after app.py's st.navigation it does nothing."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    context = get_script_run_ctx()
    if PagesManager.uses_pages_directory and context is not None:
        # st.navigation makes what follows the main script's: the page's widgets would get other ids than on the
        # next run (through app.py), and lose their values (an upload on a bookmarked Data page was dropped)
        with context.run_with_active_hash(context.page_script_hash):
            app_navigation()

"""The what-if on Explain marks the protected columns chosen on the Governance page, even after the analyst has
switched pages (Streamlit drops a widget's key on a page that does not draw it) and even when that column's
fairness could not be computed, so nothing of it is kept with the run."""

from streamlit.testing.v1 import AppTest

from tests.pages.test_pages import TIMEOUT, page


def _protected_columns_in(state: dict) -> list[str]:
    """What `ui.whatif_views.protected_columns` answers in a session holding `state`."""

    def script():
        import streamlit as st

        from ui.whatif_views import protected_columns

        st.session_state["answer"] = protected_columns(st.session_state["run"])

    at = AppTest.from_function(script, default_timeout=TIMEOUT)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception
    return at.session_state["answer"]


def test_the_governance_pages_choice_reaches_the_what_if_after_a_page_switch(credit_state):
    at = page("pages/8_Governance.py", credit_state)
    chosen = ["number_of_people_being_liable_to_provide_maintenance_for", "duration_in_month"]
    at.multiselect(key="governance_protected").set_value(chosen).run()
    assert not at.exception
    at.switch_page("pages/4_Explain.py").run()
    assert not at.exception
    state = {k: at.session_state[k] for k in at.session_state if not k.startswith("$$")}
    assert "governance_protected" not in state  # Streamlit forgot the widget on a page that does not draw it
    answer = _protected_columns_in(state)
    assert answer[:2] == chosen

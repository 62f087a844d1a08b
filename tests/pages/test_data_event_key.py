"""The risk-event radio after a new file (new user's trial 2, finding 4; 16_german_data.png, 17_german_data_recheck.png):
German credit uploaded after Taiwan showed 'good' chosen while the caption said "'bad' in 30.0%", then 'bad' a
moment later. The radio kept one key ('data_event') for every file, so the browser kept Taiwan's radio (its second
option, '1', chosen) and showed German's second option until it caught up. Each target and its labels now have a
radio of their own."""

from tests.pages.test_pages import page


def test_a_new_file_s_risk_event_radio_is_a_new_widget_with_the_file_s_default():
    at = page("pages/1_Data.py")
    at.selectbox(key="data_sample").set_value("taiwan_default")
    at.button(key="data_load_sample").click().run()
    (taiwan,) = at.radio
    assert taiwan.value == "1" and taiwan.options == ["default_payment_next_month = 0", "default_payment_next_month = 1"]
    at.selectbox(key="data_sample").set_value("german_credit")
    at.button(key="data_load_sample").click().run()
    assert not at.exception
    (german,) = at.radio
    assert german.key != taiwan.key  # not the radio of the file before
    assert german.value == "bad" and at.session_state["event_label"] == "bad"
    assert "'bad' in 30.0% of rows." in [c.value for c in at.caption]
    german.set_value("good").run()  # the analyst's choice stays while the page reruns and comes back
    at.switch_page("pages/2_Train.py").run()
    at.switch_page("pages/1_Data.py").run()
    assert at.radio[0].value == "good" and at.session_state["event_label"] == "good"

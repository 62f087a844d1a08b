"""A new user's cosmetic findings on the Data and Home pages (corporate_rating.csv): the rating balance was sorted by
count (BBB, BB, A, B, AA, CCC, AAA ...) where Evaluate uses the scale's order; the columns table cut off its 'why'
column; the correlation heatmap named only every other row; the Runs card said 'runs of this session' where the app
says 'area'."""

import json

import pytest

from finmodels.data.targets import RATING_SCALE
from finmodels.plots.data import correlation_columns
from tests.conftest import SHARED_DATASETS
from tests.pages.test_data_page import upload
from tests.pages.test_pages import page


def figure(at, key: str) -> dict:
    return json.loads(next(c for c in at.get("plotly_chart") if c.proto.id.endswith(key) or key in c.proto.id).proto.spec)


@pytest.fixture(scope="module")
def rating_page():
    at = page("pages/1_Data.py")
    upload(at, "corporate_rating.csv", (SHARED_DATASETS / "corporate_rating.csv").read_bytes())
    assert at.selectbox(key="data_target").value == "Rating"
    return at


def test_the_rating_balance_is_in_scale_order(rating_page):
    bars = figure(rating_page, "data_balance_chart")["data"][0]
    assert bars["x"] == list(RATING_SCALE)  # before: BBB, BB, A, B, AA, CCC, AAA, CC, C, D (most rows first)
    frame = rating_page.session_state["dataset"].frame
    counts = frame["Rating"].value_counts()
    assert bars["y"] == [int(counts[r]) for r in RATING_SCALE]


def test_the_columns_table_puts_the_reason_beside_the_role(rating_page):
    table = next(d.value for d in rating_page.dataframe if "why" in d.value.columns)
    # the longest column last: a table wider than the page cuts its last column (before: 'why', cut to 'is named l')
    assert list(table.columns) == ["column", "role", "why", "missing", "distinct", "examples"]
    assert table.set_index("column").loc["Name", "why"] == "is named like an identifier"


def test_the_heatmap_names_every_row_and_column(rating_page):
    spec = figure(rating_page, "data_corr_chart")
    shown = spec["data"][0]["y"]
    frame = rating_page.session_state["dataset"].frame
    assert len(shown) > 20 and shown == correlation_columns(frame, list(shown))
    layout = spec["layout"]
    for axis in ("xaxis", "yaxis"):  # before: plotly's automatic ticks, every other name past about 15 rows
        assert layout[axis]["tickmode"] == "array" and layout[axis]["tickvals"] == shown == layout[axis]["ticktext"]
    assert layout["height"] >= 22 * len(shown)  # a row tall enough for its 13-point name


def test_the_home_pages_runs_card_says_area_as_the_app_does():
    at = page("app.py")
    assert not at.exception
    captions = [c.value for c in at.caption]
    assert "Compare the runs of your workspace area side by side." in captions
    assert not any("this session" in c for c in captions)  # before: 'Compare the runs of this session side by side.'

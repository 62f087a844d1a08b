"""A new user's cosmetic findings on the Explain page of a rating run (corporate_rating.csv), on hand-made
explanations with the file's own values: the waterfall's labels keep off the column names and never read '-0.000';
values read '2,553,000', not '2.55315e+06'; a long-tailed column's dependence view shows where its rows lie."""

import numpy as np
import pandas as pd
import pytest

from finmodels.explain.explanation import Explanation
from finmodels.explain.reasons import no_reasons_text, readable_value, reason_codes, reason_codes_of_rows
from finmodels.explain.units import value_text
from finmodels.plots.explanation import FENCE, dependence_view, plot_dependence, plot_waterfall
from tests.conftest import SHARED_DATASETS

CCC = "probability of 'CC/C/D'"


@pytest.mark.parametrize("value,text", [
    (2553148.615, "2,553,000"), (-60057.88712, "-60,060"), (141350.211, "141,400"), (5098591.549, "5,099,000"),
    (0.138195, "0.1382"), (46.584, "46.58"), (1269.22, "1269"), (0.0330019, "0.033"), (-0.0132202, "-0.01322"),
    (0.0000123, "0.0000123"), (9999.7, "10,000"),
    # whole numbers in full (separated from 10,000), text and missing values as written
    (35, "35"), (1169.0, "1169"), (1.5e9, "1,500,000,000"), ("Finance", "Finance"), (np.nan, "(missing)"),
])
def test_readable_value_has_at_most_four_significant_digits_and_thousands_separators(value, text):
    assert readable_value(value) == text


def test_reason_codes_and_waterfall_labels_quote_readable_values():
    contributions = pd.Series({"assetTurnover": 0.05, "returnOnCapitalEmployed": 0.09, "Sector": 0.01})
    values = pd.Series({"assetTurnover": 2553148.615, "returnOnCapitalEmployed": -60057.88712, "Sector": "Finance"})
    assert reason_codes(contributions, values, output_name=CCC, k=2) == [
        f"returnOnCapitalEmployed '-60,060' raised {CCC} by 0.09", f"assetTurnover '2,553,000' raised {CCC} by 0.05"]
    rows = reason_codes_of_rows(contributions.to_numpy()[None, :], list(contributions.index), values.to_frame().T,
                                output_name=CCC, k=1)
    assert rows == [[f"returnOnCapitalEmployed '-60,060' raised {CCC} by 0.09"]]
    assert value_text("assetTurnover", 2553148.615, "probability") == "2,553,000"


def test_a_row_without_reasons_names_the_smallest_effect_a_reason_cites():
    assert no_reasons_text(CCC, 0.005) == (
        f"No column raised this row's {CCC} by more than 0.005, the smallest effect a reason code cites; the chart "
        "shows the smaller ones.")


@pytest.fixture()
def quiet_row():
    """The rating run's row the new user saw (Markel Corporation, 2016-03-29): every effect on CC/C/D tiny."""
    data = pd.DataFrame({"pretaxProfitMargin": [0.138195], "grossProfitMargin": [1.0], "Sector": ["Finance"],
                         "cashPerShare": [1269.22], "netProfitMargin": [0.108524], "quickRatio": [7.23047]})
    values = np.array([[-0.003, 0.002, -0.001, -0.002, -0.002, -0.0003]])
    return Explanation("PermutationExplainer", list(data.columns), values, 0.012, 0.012 + values.sum(axis=1), data,
                       100, 1.0, output_name=CCC, target_class="CC/C/D")


def test_the_waterfall_never_reads_minus_zero_and_leaves_room_left_of_falling_bars(quiet_row):
    fig = plot_waterfall(quiet_row, 0, top=5)
    w = fig.data[0]
    assert list(w.text) == ["0.012", "-0.003", "+0.002", "-0.002", "-0.002", "-0.001", "-0.0003", "0.006"]
    assert list(w.y[1:-1]) == ["pretaxProfitMargin = 0.1382", "grossProfitMargin = 1", "cashPerShare = 1269",
                               "netProfitMargin = 0.1085", "Sector = Finance", "1 other column"]
    assert list(fig.layout.xaxis.tickvals) == [0.0, 0.005, 0.01]  # no tick of a probability below 0


def test_falling_bars_near_zero_get_room_for_their_labels_left_of_the_axis():
    """The new user's row (Markel Corporation, CC/C/D 0.001): 'Sector = Fin0.001', 'netProfitMargin = 0.1085-0.002'."""
    data = pd.DataFrame({"pretaxProfitMargin": [0.138195], "fixedAssetTurnover": [12.4641], "netProfitMargin": [0.108524],
                         "grossProfitMargin": [1.0], "Sector": ["Finance"], "other": [1.0]})
    values = np.array([[-0.003, -0.003, -0.002, 0.002, -0.001, -0.0003]])
    e = Explanation("PermutationExplainer", list(data.columns), values, 0.01189, 0.01189 + values.sum(axis=1), data,
                    100, 1.0, output_name=CCC)
    fig = plot_waterfall(e, 0)
    low, high = fig.layout.xaxis.range
    ends = 0.01189 + np.cumsum(list(fig.data[0].x[1:-1]))
    falling = [end for end, step in zip(ends, fig.data[0].x[1:-1]) if step < 0]
    assert min(falling) - low == pytest.approx(0.5 * 0.01189)  # half the path's span left of the lowest falling end
    assert high > 0.01189 and fig.data[0].text[-2] == "-0.0003"
    assert list(fig.layout.xaxis.tickvals) == [0.0, 0.005, 0.01]  # no tick of a probability below 0


def test_no_reasons_on_the_page_names_the_cut(quiet_row):
    assert quiet_row.reason_codes(0) == []
    assert quiet_row.no_reasons_text() == no_reasons_text(CCC, 0.005)


def test_a_long_tailed_column_is_shown_where_its_rows_lie():
    """operatingCashFlowPerShare of corporate_rating.csv: half the rows between 2.4 and 7.3, the 99th percentile
    3,852: the 1st-99th percentile view squashed nearly every row against 0."""
    x = pd.read_csv(SHARED_DATASETS / "corporate_rating.csv")["operatingCashFlowPerShare"].to_numpy()
    q1, q3 = np.quantile(x, [0.25, 0.75])
    low, high = dependence_view(x)
    span = (q3 + FENCE * (q3 - q1)) - max(np.quantile(x, 0.01), q1 - FENCE * (q3 - q1))
    assert high == pytest.approx(q3 + FENCE * (q3 - q1) + 0.1 * span)
    inside = ((x >= low) & (x <= high)).mean()
    assert inside > 0.9 and high < 40  # was up to about 4,200: 95% of the rows in the first 1% of the axis
    data = pd.DataFrame({"operatingCashFlowPerShare": x})
    e = Explanation("PermutationExplainer", ["operatingCashFlowPerShare"], (np.clip(x, -20, 20) / 400)[:, None], 0.3,
                    0.3 + np.clip(x, -20, 20) / 400, data, 100, 1.0, output_name="probability of 'BBB'")
    title = plot_dependence(e, "operatingCashFlowPerShare").layout.title.text
    outside = int(((x < low) | (x > high)).sum())
    assert (f"Showing operatingCashFlowPerShare from {readable_value(low)} to {readable_value(high)}, where most rows "
            f"lie (a long tail is cut at 3 interquartile ranges beyond the middle half).</sup><br><sup>{outside:,} of "
            f"{len(x):,} rows lie outside this view (down to -11,950 and up to 6,439,000).</sup>") in title

"""The Data page's distribution of a numeric column set to 'categorical' (new user trial 5: EDUCATION's codes 0 to 6
drawn as a histogram of a number after the role change): one bar per code, in the codes' order, spelt as the model
reads them, with each code's rows."""

import pandas as pd

from finmodels.data.reading import load_csv
from finmodels.plots.data import plot_distribution
from tests.conftest import SHARED_DATASETS

TARGET = "default_payment_next_month"


def test_a_column_set_to_categorical_has_one_bar_per_code():
    taiwan = load_csv(SHARED_DATASETS / "taiwan_default.csv").head(5000)
    counts = taiwan["EDUCATION"].value_counts()
    fig = plot_distribution(taiwan, "EDUCATION", categorical=True)
    (bars,) = fig.data
    assert bars.type == "bar"
    assert list(bars.x) == [str(c) for c in sorted(counts.index)]  # '0' ... '6', in order, not by frequency
    assert list(bars.y) == [int(counts[c]) for c in sorted(counts.index)]
    assert fig.layout.xaxis.type == "category" and "one bar per code" in fig.layout.title.text
    # left to a number it is a histogram, as before
    assert plot_distribution(taiwan, "EDUCATION").data[0].type == "histogram"


def test_codes_read_as_floats_are_spelt_as_whole_codes_beside_the_event_rows():
    taiwan = load_csv(SHARED_DATASETS / "taiwan_default.csv").head(5000)
    taiwan["EDUCATION"] = taiwan["EDUCATION"].astype("float64")
    taiwan.loc[3, "EDUCATION"] = float("nan")  # a gap reads the column as floats: 2.0 is still code '2'
    event = taiwan[TARGET].astype(str) == "1"
    fig = plot_distribution(taiwan, "EDUCATION", target=TARGET, event_label="1", categorical=True)
    assert [t.name for t in fig.data] == [f"{TARGET} = 1", "other rows"]
    assert list(fig.data[0].x) == list(fig.data[1].x) and "2" in list(fig.data[0].x) and "2.0" not in list(fig.data[0].x)
    two = list(fig.data[0].x).index("2")
    assert fig.data[0].y[two] == int(((taiwan["EDUCATION"] == 2) & event).sum())
    assert fig.data[1].y[two] == int(((taiwan["EDUCATION"] == 2) & ~event).sum())
    assert pd.isna(taiwan.loc[3, "EDUCATION"])

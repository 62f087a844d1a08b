import numpy as np
import pandas as pd
import pytest

from finmodels.data.panels import read_panel
from finmodels.data.samples import load_sample
from finmodels.data.sequences import make_windows
from finmodels.data.splits import chronological_split


@pytest.fixture(scope="session")
def stock_panel():
    return read_panel(load_sample("sp500_10stocks"), window=20)


@pytest.fixture(scope="session")
def naive_forecasts(stock_panel):
    """Test-period forecasts of the naive model (window mean and standard deviation), shaped like a run's details."""
    from scipy.stats import norm

    w = make_windows(stock_panel.days, window=20, channels=stock_panel.series.channels)
    test = chronological_split(w.dates).test
    vol = w.window_std[test]
    return pd.DataFrame({"date": w.dates[test], "ticker": w.tickers[test], "forecast": np.zeros(len(test)),
                         "volatility": vol, "var": norm.ppf(0.99) * vol, "actual": w.y[test]})

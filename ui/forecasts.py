"""The Score page's next-day forecast of a market risk or allocation model: the portfolio's VaR, expected shortfall
and expected return, each asset's, and each asset's share of the portfolio VaR."""

from __future__ import annotations

import streamlit as st

from finmodels.delivery.export import to_csv_bytes
from finmodels.plots.portfolio import plot_next_day, plot_risk_contributions

_PERCENT = st.column_config.NumberColumn(format="percent")


def next_day(name: str, forecast) -> None:
    """Tiles for the portfolio, the per-asset table (with a CSV download) and the charts of `forecast`."""
    p = forecast.portfolio
    days = "next day" if forecast.horizon == 1 else f"next {forecast.horizon} days"
    level = f"{forecast.level:.1%}".replace(".0%", "%")
    st.subheader(f"{name}: the {days} after {forecast.as_of:%Y-%m-%d}")
    for note in forecast.notes:
        st.caption(note)
    cols = st.columns(4)
    cols[0].metric(f"Portfolio VaR {level}", f"{p['var']:.2%}", help="Loss (share of the portfolio's value) exceeded "
                   f"with probability {1 - forecast.level:.1%}, from each asset's forecast and their correlation")
    cols[1].metric("Expected shortfall", f"{p['es']:.2%}", help="Mean loss beyond the VaR")
    cols[2].metric("Expected return", f"{p['expected_return']:+.2%}")
    cols[3].metric("Volatility", f"{p['volatility']:.2%}")
    table = forecast.assets.rename(columns={"last_date": "last day", "last_price": "last price",
                                            "expected_return": "expected return", "var": f"VaR {level}",
                                            "es": "expected shortfall"})
    st.dataframe(table, hide_index=True, key="score_forecast_table",
                 column_config={"last day": st.column_config.DateColumn(format="YYYY-MM-DD"),
                                "last price": st.column_config.NumberColumn(format="%.2f"),
                                **{c: _PERCENT for c in ("weight", "expected return", "volatility", f"VaR {level}",
                                                         "expected shortfall")}})
    st.download_button("Download the forecast (CSV)", to_csv_bytes(forecast.assets), file_name=f"forecast_{name}",
                       mime="text/csv", key="score_download_forecast", icon=":material/download:")
    left, right = st.columns(2)
    left.plotly_chart(plot_next_day(forecast), key="score_next_day")
    right.plotly_chart(plot_risk_contributions(forecast.contributions), key="score_forecast_contributions")

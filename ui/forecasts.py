"""The Score page's next-day forecast of a market risk or allocation model: the portfolio's VaR, expected shortfall
and expected return, each asset's, and each asset's share of the portfolio VaR."""

from __future__ import annotations

import streamlit as st

from finmodels.delivery.export import to_csv_bytes
from finmodels.plots.portfolio import plot_next_day, plot_risk_contributions
from ui.evaluate_views import percents



def next_day(name: str, forecast) -> None:
    """Tiles for the portfolio, the per-asset table (with a CSV download) and the charts of `forecast`."""
    p = forecast.portfolio
    level = f"{forecast.level:.1%}".replace(".0%", "%")
    st.subheader(f"Forecast from {name}")
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
    shares = ["weight", "expected return", "volatility", f"VaR {level}", "expected shortfall"]
    table, config = percents(table, shares, digits=2)
    config["weight"] = st.column_config.NumberColumn(format="%.1f%%")
    st.dataframe(table, hide_index=True, key="score_forecast_table",
                 column_config={"last day": st.column_config.DateColumn(format="YYYY-MM-DD"),
                                "last price": st.column_config.NumberColumn(format="%.2f"), **config})
    st.download_button("Download the forecast (CSV)", to_csv_bytes(forecast.assets), file_name=f"forecast_{name}",
                       mime="text/csv", key="score_download_forecast", icon=":material/download:")
    figure = plot_next_day(forecast)
    # the portfolio line's label, at the left on a white ground: at the right the bars and the legend covered it
    figure.update_annotations(x=0, xanchor="left", bgcolor="white")
    st.plotly_chart(figure, key="score_next_day")
    held = forecast.contributions[forecast.contributions["weight"] > 0]
    st.plotly_chart(plot_risk_contributions(held, title=f"Risk contribution to the portfolio VaR ({len(held)} assets "
                                            "held)"), key="score_forecast_contributions")

"""The Explain page's views: the charts of all explained rows (importance, beeswarm, SHAP dependence), and the 'One
row' section: the row picker, the row's waterfall, reason codes and values.

The picker's lines name the output of the class explained ('probability of 'CC/C/D' 0.312'). Streamlit keeps a
selectbox's chosen value across runs while the browser keeps the line it showed: after a change of class the box
still read 'probability of 'BBB' 0.538' while the chart explained that row's 0.001. A new class (or run) therefore
starts from its top row, which the page's heading promises, and the browser is told the new line.
"""

from __future__ import annotations

import streamlit as st
from pandas.api.types import is_bool_dtype, is_numeric_dtype

from finmodels.data.tasks import FORECAST
from finmodels.explain.labels import explained_row_names, picker_labels
from finmodels.explain.reasons import readable_value
from finmodels.explain.units import RETURN
from finmodels.plots.explanation import plot_beeswarm, plot_dependence, plot_importance, plot_waterfall

ROW = "explain_row"  # the picker's key
TOP_IMPORTANCE, TOP_BEESWARM = 20, 12  # the columns the charts show unless asked for all
ROW_OF = "explain_row_of"  # (run, class) the picked row was chosen for


def row_picker(result, explanation) -> tuple[int, str]:
    """The explained row the analyst picks (a position in `explanation`), highest output first, and its name ('line
    22761 of the file · ID 22760', as the what-if and the report name it); the top row of a class (or run) just
    chosen."""
    order = explanation.rows_by_prediction()
    names = explained_row_names(result, explanation)
    if result.kind == FORECAST:  # a new user read 'JPM 2018-02-07' as the window's last day; it is the day forecast
        names = [f"the forecast for {n}" for n in names]
    lines = picker_labels(result, explanation, names=names)
    chosen_for = (getattr(result, "run_id", None) or id(result), explanation.target_class)
    if st.session_state.get(ROW_OF) != chosen_for:
        st.session_state[ROW] = order[0]
        st.session_state[ROW_OF] = chosen_for
    what = "window" if result.kind == FORECAST else "row"
    row = int(st.selectbox(f"{what.capitalize()} (explained {what}s, highest {explanation.output_name} first)",
                           order, format_func=lambda i: lines[i], key=ROW,
                           help="Each window is named by the ticker and the day it forecasts; its inputs are the "
                                "days before, up to the trading day before that one." if what == "window" else None))
    return row, names[row]


def row_explanation(explanation, row: int, name: str) -> None:
    """The row's waterfall beside its reason codes, and a table of its values and contributions, each titled with
    the row's `name`."""
    left, right = st.columns([3, 2])
    left.plotly_chart(plot_waterfall(explanation, row, name=name), key="explain_waterfall")
    with right:
        st.markdown(f"**Reason codes of {name}**")
        codes = explanation.reason_codes(row)
        if codes:
            st.markdown("\n".join(f"{n}. {code}" for n, code in enumerate(codes, 1)))
        else:
            st.caption(explanation.no_reasons_text())
    with st.expander(f"Values and contributions of {name}"):  # the page's width: the contribution column fits
        table, config = explanation.contributions(row), {"column": "Column", "value": "Value"}
        if explanation.scale != RETURN:  # a forecast's table is text in percent already
            table = table.assign(value=[readable_value(v) for v in table["value"]])
            config["contribution"] = st.column_config.NumberColumn(f"Contribution ({explanation.scale})",
                                                                   format="%+.4f")
        st.dataframe(table.astype({"value": str}), hide_index=True, column_config=config,
                     key="explain_contributions")


def level_columns(result) -> tuple[str, ...]:
    """The columns the run reads as categories: its text columns and the numbers set to 'categorical' on the Data
    page (the preprocessor's one-hot columns, and TrainConfig.categories)."""
    pre = getattr(result, "preprocessor", None)
    named = [*(getattr(pre, "categorical", None) or ()), *(getattr(getattr(result, "config", None), "categories", None) or ())]
    return tuple(dict.fromkeys(map(str, named)))


def _all_columns(count: int, top: int, key: str) -> bool:
    """A toggle to show all `count` columns, where a chart shows only the `top` most important."""
    return count > top and st.toggle(f"Show all {count} columns", key=key)


def importance_view(explanation) -> None:
    importance = explanation.importance()
    every = _all_columns(len(importance), TOP_IMPORTANCE, "explain_importance_all")
    st.plotly_chart(plot_importance(importance, top=None if every else TOP_IMPORTANCE, unit=explanation.scale),
                    key="explain_importance")


def beeswarm_view(result, explanation) -> None:
    every = _all_columns(len(explanation.columns), TOP_BEESWARM, "explain_beeswarm_all")
    st.plotly_chart(plot_beeswarm(explanation, top=None if every else TOP_BEESWARM, categories=level_columns(result)),
                    key="explain_beeswarm")


def dependence_view(result, explanation) -> None:
    """SHAP value against one column: a scatter for a number (its bulk, or every row), a box per level for a column
    the run reads as categories (every row: codes have no outliers)."""
    column = st.selectbox("Column", list(explanation.importance().index), key="explain_dependence_column")
    categories = level_columns(result)
    raw = explanation.data[column]
    levels = column in categories or not is_numeric_dtype(raw) or is_bool_dtype(raw)
    every_row = not levels and st.toggle(
        "Show every row, outliers included", key="explain_dependence_all",
        help="By default the view spans the 1st to 99th percentile (a long tail is cut at 3 interquartile ranges "
             "beyond the middle half), so extreme values do not squash the others into a line; the chart says how "
             "many rows lie outside.")
    st.plotly_chart(plot_dependence(explanation, column, clip=None if every_row else (0.01, 0.99),
                                    categories=categories), key="explain_dependence")

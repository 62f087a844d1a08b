"""The Evaluate page's sections by task: the VaR backtest tiles, the portfolio's backtest against its baselines with
any one asset's, the allocation's walk-forward against equal weight and minimum variance, a binary run's decision
threshold with its cost matrix (kept with the run), the scorecard challenger's tables, and the calibration of a loss
model in bins.

Each section draws itself only for a run that has what it shows, so the page calls them all in turn. Numbers come
from finmodels (`portfolio_of`, `allocation_of`, the scorecard model, `loss_calibration`); this module formats.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from finmodels.data.tasks import BINARY, FORECAST
from finmodels.delivery.market_report import ALLOCATION_HEADINGS, ALLOCATION_PERCENTS, allocation_labelled
from finmodels.delivery.report import backtest_table, percent_cell, percent_rows, zone_text
from finmodels.errors import FinModelsError
from finmodels.evaluation.backtest_words import INDEPENDENCE, clustering_note, expected_text, same_days_note
from finmodels.evaluation.backtest import BASEL_DAYS
from finmodels.plots import portfolio as plots
from ui import decisions
from ui.messages import show_error
from ui.results import DECISION, event_phrase, p_value, styled_metrics, tile_number
from ui.widgets import follow, remember, store

# charts that belong beside a section's tables rather than in the page's chart selector (the report keeps them)
SECTION_CHARTS = ("Portfolio VaR", "Risk contributions", "Equity curves", "Weights")


def percents(frame: pd.DataFrame, columns, *, digits: int = 1) -> tuple[pd.DataFrame, dict]:
    """`frame` with `columns` (shares) as percentages, and the column settings that show them with `digits`
    decimals ('33.3%' in every row, where Streamlit's own percent format drops trailing zeros)."""
    shown = frame.assign(**{c: frame[c].astype(float) * 100 for c in columns})
    return shown, {c: st.column_config.NumberColumn(format=f"%.{digits}f%%") for c in columns}


def metrics_styler(result, table: pd.DataFrame):
    """The network-against-baselines table as `styled_metrics` shows it, a returns forecast's RMSE and MAE in
    percent as its tiles above and the report read them ('1.141%', was 0.01141)."""
    styler = styled_metrics(table)
    rows = percent_rows(result, table)
    return styler.format(percent_cell, subset=pd.IndexSlice[rows, :], na_rep="–") if rows else styler


def _period(horizon: int) -> str:
    return "one-day" if horizon == 1 else f"{horizon}-day"


def var_tiles(result) -> None:
    """Exceptions, Kupiec and Christoffersen p-values and Basel zones of the run's VaR backtest (the portfolio's
    when the run has several tickers)."""
    if getattr(result, "kind", None) != FORECAST:
        return
    from finmodels.portfolio import backtest_of, portfolio_of

    backtest = backtest_of(result)  # the portfolio's, also for a run read back from the workspace
    if backtest is None:
        return
    risk = portfolio_of(result)
    risk = risk if risk is not None and len(risk.weights) > 1 else None  # a single series is its own portfolio
    summary = backtest.summary()
    horizon = risk.horizon if risk is not None else 1
    unit = "test days" if horizon == 1 else f"periods of {horizon} days"
    st.subheader("Portfolio VaR backtest" if risk is not None else "VaR backtest")
    st.caption(f"{summary['level']:.1%} {_period(horizon)} VaR on {summary['days']:,} {unit}: an exception is a "
               "period whose loss went beyond the VaR.".replace(".0%", "%"))
    label, zone, note = recent_tile(backtest, unit)
    whole = summary["days"] < BASEL_DAYS  # the supervisory window is the whole test: one zone tile, not two
    cols = st.columns(4 if whole else 5)
    cols[0].metric("Exceptions", f"{summary['exceptions']:,} of {summary['days']:,}",
                   help=f"Expected {expected_text(backtest.expected)} at {summary['level']:.1%} VaR "
                        f"({summary['exception_rate']:.2%} of {unit})")
    cols[1].metric("Kupiec p-value", p_value(summary.get("kupiec_p_value")),
                   help="Below 0.05: the exception rate is unlikely at this VaR level")
    cols[2].metric(INDEPENDENCE, p_value(summary.get("christoffersen_p_value")),
                   help="Christoffersen's independence test: below 0.05, exceptions cluster on consecutive days")
    cols[3].metric("Basel zone", zone_text(summary.get("zone")),
                   help=note if whole else f"Basel traffic light of the {summary['exceptions']:,} exceptions in all "
                                           f"{summary['days']:,} {unit}")
    if not whole:
        cols[4].metric(label, zone, help=note)
    cluster = clustering_note(backtest, unit=unit)
    if cluster:
        st.warning(cluster)
    if risk is not None:
        portfolio_section(result, risk)


def recent_tile(backtest, unit: str) -> tuple[str, str, str]:
    """The supervisory window's tile (label, value, help): the Basel zone of the last 250 test days, or on a shorter
    test of every day it has, labelled with their real count ('Last 248 days') and a help that says why."""
    days, exceptions, zone = backtest.recent()
    label = f"Last {days:,} {'days' if unit == 'test days' else 'periods'}"
    if days >= BASEL_DAYS:
        return label, zone_text(zone), f"{exceptions:,} exceptions in the last {days:,} {unit}"
    return label, zone_text(zone), (f"The test has {days:,} {unit}, fewer than the {BASEL_DAYS} of the supervisory "
                                    f"window: the zone of all {days:,} ({exceptions:,} exceptions), as beside it.")


def portfolio_section(result, risk) -> None:
    """The network's portfolio VaR against historical simulation and EWMA, each asset's risk contribution, and a
    selector for one asset's forecast and backtest."""
    st.markdown("**The network against the baselines**")
    st.dataframe(backtest_table(risk), hide_index=True, key="evaluate_portfolio_methods")
    same = same_days_note(risk)
    if same:
        st.info(same)
    level = f"{risk.level:.1%}".replace(".0%", "%")
    st.plotly_chart(plots.plot_portfolio_var(risk, title=f"Portfolio return against each method's -VaR ({level} "
                                             f"{_period(risk.horizon)}), on {risk.network.result.days} distinct "
                                             + ("dates" if risk.horizon == 1 else "periods")),
                    key="evaluate_portfolio_var")
    held = risk.weights[risk.weights > 0]
    source = "holdings file" if result.config.holdings else "equal weight"
    last = pd.Timestamp(risk.dates[-1]).strftime("%Y-%m-%d") if len(risk.dates) else None
    st.markdown(f"**Risk contributions** · {len(held)} assets held ({source})"
                + (f" · the network's forecast for {last}, the last test date" if last else ""))
    left, right = st.columns([3, 2])
    left.plotly_chart(plots.plot_risk_contributions(risk.contributions), key="evaluate_contributions")
    shares, config = percents(risk.contributions[["ticker", "weight", "volatility", "share"]],
                              ["weight", "volatility", "share"])
    config["volatility"] = st.column_config.NumberColumn(
        "forecast daily volatility", format="%.2f%%",
        help="The network's forecast of the asset's volatility of daily returns" + (f" on {last}" if last else "")
        + ": a forecast for one day, which follows recent swings, not the test period's average")
    config["share"] = st.column_config.NumberColumn("share of VaR", format="%.1f%%")
    right.dataframe(shares, hide_index=True, key="evaluate_contribution_table", column_config=config)
    tickers = sorted(map(str, risk.assets["ticker"])) if len(risk.assets) else []
    if not tickers:
        return
    st.markdown("**One asset**")
    ticker = asset_selector(result, tickers)
    row = risk.assets.set_index(risk.assets["ticker"].astype(str)).loc[ticker]
    cols = st.columns(4)
    cols[0].metric(f"{ticker} exceptions", f"{int(row['exceptions']):,} of {int(row['days']):,}",
                   help=f"Expected {expected_text(row['expected_exceptions'])} at {risk.level:.1%} one-day VaR")
    cols[1].metric("Kupiec p-value", p_value(row["kupiec_p"]))
    cols[2].metric(INDEPENDENCE, p_value(row["christoffersen_p"]))
    cols[3].metric("Basel zone", zone_text(row["zone"]))
    st.plotly_chart(plots.plot_asset_forecast(result.details, ticker), key="evaluate_asset_forecast")
    with st.expander("Every asset's own backtest"):
        st.dataframe(asset_table(risk.assets), hide_index=True, key="evaluate_asset_table")


ASSET_HEADINGS = {"ticker": "ticker", "days": "days", "exceptions": "exceptions", "expected_exceptions": "expected",
                  "kupiec_p": "Kupiec p", "christoffersen_p": INDEPENDENCE, "zone": "Basel zone"}


def asset_table(assets: pd.DataFrame) -> pd.DataFrame:
    """Every asset's own backtest with the portfolio table's headings and formats (expected '2.48' in both)."""
    shown = assets.assign(expected_exceptions=assets["expected_exceptions"].map(expected_text),
                          kupiec_p=assets["kupiec_p"].map(p_value), christoffersen_p=assets["christoffersen_p"].map(p_value),
                          zone=assets["zone"].map(zone_text))
    return shown[[c for c in ASSET_HEADINGS if c in shown.columns]].rename(columns=ASSET_HEADINGS)


ASSETS = "_evaluate_assets"  # run -> the asset its Evaluate page shows, kept across reruns and page switches


def _keep_asset(run) -> None:
    st.session_state.setdefault(ASSETS, {})[run] = st.session_state["evaluate_asset"]


def asset_selector(result, tickers: list[str]) -> str:
    """The one-asset selector, on the asset chosen last for this run (the first before any choice): Streamlit forgets
    a widget's value on another page, and the choice of one run means nothing for another's tickers."""
    run = decisions.run_key(result)
    kept = st.session_state.get(ASSETS, {}).get(run)
    st.session_state["evaluate_asset"] = kept if kept in tickers else tickers[0]
    return st.selectbox("Asset", tickers, key="evaluate_asset", on_change=_keep_asset, args=(run,))


def allocation_section(result) -> None:
    """The walk-forward allocation: stats table, equity curves, latest weights and weights at each rebalance."""
    from finmodels.portfolio import allocation_of

    allocation = allocation_of(result) if getattr(result, "kind", None) == FORECAST else None
    if allocation is None:
        return
    st.subheader("Asset allocation: monthly walk-forward")
    st.caption(f"Long-only mean-variance weights from the network's return forecasts (risk aversion "
               f"{allocation.risk_aversion:g}, at most {allocation.cap:.0%} in one asset), against equal weight and "
               "minimum variance, each rebalanced monthly with only the data up to that date.")
    stats, config = percents(allocation_labelled(allocation), [ALLOCATION_HEADINGS[c] for c in ALLOCATION_PERCENTS])
    config.update({ALLOCATION_HEADINGS[c]: st.column_config.NumberColumn(format="%.2f") for c in ("sharpe", "turnover")})
    st.dataframe(stats, hide_index=True, key="evaluate_allocation_table", column_config=config)
    st.plotly_chart(plots.plot_equity_curves(allocation), key="evaluate_equity")
    latest = allocation.latest
    held = latest[latest > 1e-4].sort_values(ascending=False)
    left, right = st.columns([1, 2])
    with left:
        st.markdown(f"**Latest weights** ({allocation.weights['strategy'].index[-1]:%Y-%m-%d})")
        weights, config = percents(held.rename("weight").rename_axis("ticker").reset_index(), ["weight"])
        st.dataframe(weights, hide_index=True, key="evaluate_latest_weights", column_config=config)
    right.plotly_chart(plots.plot_allocation_weights(allocation), key="evaluate_weights")


def scorecard_section(result) -> None:
    """The scorecard challenger's information values, binning and points (from the fitted scorecard, or from what a
    run read back from the workspace keeps)."""
    if getattr(result, "kind", None) != BINARY:
        return
    from finmodels.models.scorecard_tables import tables_of

    found = tables_of(result)
    if found is None:
        return
    st.subheader("Scorecard challenger")
    from finmodels.plots.scorecard import plot_feature_bins, plot_iv

    iv, bins, points = found
    coded = [c for c in getattr(result.preprocessor, "categorical", ()) if c in getattr(result.config, "categories", ())]
    st.caption("The classic credit scorecard trained beside the network on the same rows: optimal monotonic bins of "
               "numbers, levels grouped by their event rate" + (f" (codes set to 'categorical' too: {', '.join(coded)})"
                                                                 if coded else "")
               + ", weight of evidence (WoE), information value (IV), a logistic regression on WoE and points.")
    st.plotly_chart(plot_iv(iv), key="evaluate_iv")
    with st.expander("Information value table"):
        st.dataframe(iv, hide_index=True, key="evaluate_iv_table",
                     column_config={"iv": st.column_config.NumberColumn("IV", format="%.3f")})
    feature = st.selectbox("Feature", list(iv["feature"]), key="evaluate_scorecard_feature")
    st.plotly_chart(plot_feature_bins(bins, points, feature), key="evaluate_feature_bins")
    table = bins[bins["feature"] == feature].merge(points[points["feature"] == feature], on=["feature", "bin"],
                                                   how="left", suffixes=("", "_points"))
    table, config = percents(table.drop(columns=["feature", "woe_points"], errors="ignore"), ["share", "event_rate"])
    config.update(event_rate=st.column_config.NumberColumn("event rate", format="%.1f%%"),
                  woe=st.column_config.NumberColumn("WoE", format="%.3f"),
                  iv=st.column_config.NumberColumn("IV", format="%.4f"),
                  points=st.column_config.NumberColumn(format="%.1f"))
    st.dataframe(table, hide_index=True, key="evaluate_binning_table", column_config=config)
    with st.expander("Points table (every feature)"):
        st.dataframe(points, hide_index=True, key="evaluate_points_table")


NOUNS = {"lgd": "LGD", "loss": "loss", "pd": "PD"}  # what a loss evaluation's model predicts, as shown


def loss_section(result) -> None:
    """A loss model's predicted against realised loss in bins of its prediction (exposure-weighted when the file
    has an exposure column) and its expected loss against the realised loss (for a credit default model on a file
    with LGD and EAD columns, PD x LGD x EAD); for a loss amount, the file's own expected loss when it has PD, LGD
    and EAD columns. Drawn from the run's details, so a run read back from the workspace shows it too."""
    from finmodels.evaluation.losses import losses_of

    found = losses_of(result)
    if found is None:
        return
    from finmodels.plots.losses import plot_loss_calibration

    noun = NOUNS[found.predicts]
    st.subheader("Expected loss (PD × LGD × EAD)" if found.predicts == "pd" else "Calibration of losses")
    loss_tiles(found)
    weighted = f", weighted by exposure ('{found.exposure}')" if found.exposure is not None else ""
    st.caption(f"Test rows in {len(found.calibration)} bins of predicted {noun}{weighted}: a calibrated model's "
               f"realised {'default rate' if found.predicts == 'pd' else noun} is close to its prediction in every "
               "bin.")
    for note in found.notes:
        st.caption(note)
    table = found.calibration.drop(columns=[] if found.exposure is not None else ["exposure"])
    share = "%.3f" if found.rate else "%.4g"
    config = {c: st.column_config.NumberColumn(format=share) for c in ("low", "high", "predicted", "realised",
                                                                        "difference")}
    config["exposure"] = st.column_config.NumberColumn(format="%.0f")
    left, right = st.columns([3, 2])  # the table's eight columns need the wider side
    left.dataframe(table, hide_index=True, key="evaluate_loss_calibration", column_config=config)
    right.plotly_chart(plot_loss_calibration(found), key="evaluate_loss_figure")
    file_expected_loss(result)


def loss_tiles(found) -> None:
    """Predicted against realised loss in total (an expected loss with a PD), their ratio and the calibration
    error."""
    noun = NOUNS[found.predicts]
    factor = {"lgd": f"PD ('{found.pd}')" if found.pd else "", "loss": f"PD ('{found.pd}')" if found.pd else "",
              "pd": f"LGD ('{found.lgd}')" if found.lgd else ""}[found.predicts]
    expected = found.predicts == "pd" or found.pd is not None
    if found.rate and found.exposure is None:  # shares without an exposure: their means, not a sum of shares
        values = (f"{found.predicted_total / found.rows:.3f}", f"{found.realised_total / found.rows:.3f}")
        times = f" × {factor.split(' ')[0]}" if factor else ""
        labels = (f"Mean predicted {noun}{times}", f"Mean realised {noun}{times}")
    else:
        values = (f"{found.predicted_total:,.0f}", f"{found.realised_total:,.0f}")
        labels = ("Predicted expected loss" if expected else "Predicted loss",
                  "Realised expected loss" if found.pd is not None else "Realised loss")
    how = " × ".join(n for n in (f"predicted {noun}", factor, f"EAD ('{found.exposure}')" if found.exposure else "")
                     if n)
    realised = "defaults (0 or 1)" if found.predicts == "pd" else f"realised {noun}"
    cols = st.columns(4)
    cols[0].metric(labels[0], values[0], help=f"Sum over the {found.rows:,} test rows of {how}")
    cols[1].metric(labels[1], values[1], help=f"The same with the {realised} in place of the prediction")
    cols[2].metric("Predicted / realised", f"{found.loss_ratio:.3f}", help="1 when the book's loss is right in total")
    cols[3].metric("Calibration error", tile_number(found.calibration_error),
                   help="Mean absolute gap between realised and predicted over the bins, weighted by "
                        + ("exposure" if found.exposure else "rows"))


def file_expected_loss(result) -> None:
    """The file's own expected loss (PD x LGD x EAD) on the test rows, for a loss model whose target is not the
    LGD itself (a fresh run: the rows are not kept in the workspace)."""
    from finmodels.evaluation.losses import expected_loss_summary, find_loss_columns

    if result.frame is None or result.config.task == "loss_given_default":
        return
    columns = find_loss_columns(result.frame.columns)
    if not columns.complete:
        return
    try:
        found = expected_loss_summary(result.frame.iloc[result.split.test], columns)
    except FinModelsError as exc:
        show_error(exc)
        return
    st.caption(f"Expected loss (PD × LGD × EAD from '{columns.pd}', '{columns.lgd}', '{columns.ead}') of the "
               f"test rows: {found['expected_loss']:,.0f} on an exposure of {found['exposure']:,.0f} "
               f"({found['loss_rate']:.2%}).")


COSTS = ("evaluate_fn_cost", "evaluate_fp_cost")  # the cost matrix's widgets: a missed event, a false alarm


def start_from_kept(result) -> None:
    """Before the widgets are drawn: when this session has not set a threshold for the run (a reload, a run opened
    from the Runs page, a colleague's browser), the costs and the threshold start from the decision the run keeps."""
    record = None if decisions.chosen_here(result) else decisions.kept_decision(result)
    if record is None:
        return
    fn, fp = float(record["costs"]["false_negative"]), float(record["costs"]["false_positive"])
    st.session_state.update(dict(zip(COSTS, (fn, fp))))
    store(COSTS)
    follow("evaluate_threshold", float(record["threshold"]), source=(id(result), fn, fp))
    store(["evaluate_threshold"])


def kept_caption(result, record: dict | None) -> None:
    """Under the slider: what the run keeps of the decision, and who sees it."""
    from finmodels.delivery.kept import CHOSEN, kept_on
    from ui.kept import keepable

    if not keepable(result):
        return
    if record is None:
        st.caption(f"A change here is kept with run {result.run_id[:8]} in the workspace, so a reload, the **Runs** "
                   "page and a colleague opening the run start from it.")
        return
    costs = record["costs"]
    st.caption(f"Threshold **{record['threshold']:.2f}** ({CHOSEN[record['chosen']]}; costs "
               f"{costs['false_negative']:g} and {costs['false_positive']:g}) kept with this run ({result.run_id[:8]}) "
               f"on {kept_on(record)}. Whoever opens the run (a reload, the **Runs** page, its address) starts from "
               "it, and Score, Explain, Governance and the Report use it.")


def decision_section(result) -> None:
    """A binary run's cost matrix, the threshold that follows it (or the analyst's hand), the decisions at it, and
    the decision kept with the run once per change."""
    if getattr(result, "kind", None) != BINARY:
        return
    from finmodels.delivery.report import Decision, held_out_labels, least_cost_threshold_of
    from finmodels.evaluation.thresholds import THRESHOLD_STEP
    from finmodels.evaluation.thresholds import DEFAULT_COSTS, CostMatrix, decisions_at
    from finmodels.plots.evaluation import plot_confusion_matrix

    event = event_phrase(result.config.target, result.event_label)
    st.subheader("Decision threshold")
    st.caption(f"Rows scored at or above the threshold are flagged as {event}. Put in what each mistake costs in "
               f"your portfolio (any unit): it starts at {DEFAULT_COSTS.false_negative:g} for a missed {event} and "
               f"{DEFAULT_COSTS.false_positive:g} for a false alarm, a common credit-risk default, not this file's. "
               "The threshold moves to the least-cost one whenever the costs change; then set your own.")
    start_from_kept(result)
    remember(dict(zip(COSTS, (DEFAULT_COSTS.false_negative, DEFAULT_COSTS.false_positive))))
    y, scores = held_out_labels(result), result.test_scores
    c1, c2, c3 = st.columns(3)
    fn_cost = c1.number_input(f"Cost of a missed {event} (false negative)", 0.0, 1e6, key=COSTS[0])
    fp_cost = c2.number_input("Cost of a false alarm (false positive)", 0.0, 1e6, key=COSTS[1])
    store(COSTS)
    try:
        costs = CostMatrix(false_negative=fn_cost, false_positive=fp_cost)
        best = least_cost_threshold_of(result, costs)
    except FinModelsError as exc:
        show_error(exc)
        return
    # searched on the slider's steps, so the slider reaches it and the tile, the slider, the text under it and the
    # report name one threshold and one cost (the exact least-cost score, 0.0813, showed as 0.081 beside 0.08)
    least = best.threshold
    c3.metric("Least-cost threshold", f"{least:.2f}", help=f"Chosen on {best.basis.phrase()}, where its expected "
                                                           f"cost is {best.chosen.cost:.3f} per row, the least of the "
                                                           f"thresholds in steps of {THRESHOLD_STEP:g}.")
    follow("evaluate_threshold", least, source=(id(result), fn_cost, fp_cost))
    threshold = st.slider("Threshold", 0.0, 1.0, step=THRESHOLD_STEP, key="evaluate_threshold")
    store(["evaluate_threshold"])
    st.caption(f"The least-cost threshold is chosen on {best.basis.phrase()}" + (
        "; the figures below are on the test rows, so they are optimistic for it." if best.basis.on_test else
        f"; the figures below are on the {len(y):,} test rows it was not chosen on."))
    decisions.set_threshold(result, threshold)
    st.session_state[DECISION] = (result, Decision(threshold, costs))
    kept_caption(result, decisions.keep_decision(result, threshold, costs, least=least))
    at = decisions_at(y, scores, threshold, costs=costs)
    left, right = st.columns([3, 2])
    negative = f"not {event}" if event.startswith("'") else f"not ({event})"
    left.plotly_chart(plot_confusion_matrix(at.confusion, [negative, event],
                                            title=f"Confusion matrix at threshold {threshold:.2f}"),
                      key="evaluate_confusion")
    above = at.cost - best.on_test.cost  # against the least-cost threshold on the same test rows: none at the start
    right.metric("Expected cost per row", f"{at.cost:.3f}",
                 delta=f"{above:+.3f} vs the least-cost threshold" if abs(above) > 5e-4 else None,
                 delta_color="inverse", help=f"On the {len(y):,} test rows. The least-cost threshold {least:.2f} "
                                             f"costs {best.on_test.cost:.3f} per test row.")
    right.metric("Flagged", f"{at.flagged:.1%} of rows")
    right.metric(f"{event} caught (recall)", f"{at.recall:.1%}")
    right.metric("Precision of flags", f"{at.precision:.1%}")


def baselines_caption(result) -> str:
    """For a binary run: what the comparison table's baselines learned from, and the threshold of its at-threshold
    rows ('' for other kinds, whose baselines the table's names say)."""
    if getattr(result, "kind", None) != BINARY:
        return ""
    scorecard = "; the scorecard bins the raw columns itself" if "scorecard" in (result.baselines or {}) else ""
    return (f"Logistic regression and gradient boosting learn from the network's own preprocessed inputs{scorecard}. "
            "Accuracy, precision, recall and F1 are at threshold 0.5 for every model alike; the decision section "
            "below takes them at your threshold.")

"""The charts of a run by task kind, and a self-contained HTML report of it for people who do not run the tool.

`run_figures` is shared by the Evaluate page and the report, so both show the same charts. The report is one
HTML file with plotly's JavaScript embedded (it opens offline); every name taken from the data is escaped.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from finmodels.evaluation.backtest_words import INDEPENDENCE, KUPIEC, expected_text
from finmodels.evaluation.metrics import comparison_table
from finmodels.evaluation.threshold_basis import held_out_labels, least_cost_threshold_of  # noqa: F401 (report API)
from finmodels.plots import evaluation as ev
from finmodels.plots.training import plot_loss_curve
from finmodels.delivery.configuration import (applies, baselines_note, config_table,  # noqa: F401 (the report's API)
                                             event_phrase)
from finmodels.delivery.html import FLAG_STYLE, STYLE, html_table, paragraph, plain_value
from finmodels.delivery.kept import kept_sections
from finmodels.data.tasks import ANOMALY, BINARY, FORECAST, MULTICLASS, ORDINAL, REGRESSION, get_task
from finmodels.evaluation.thresholds import (DEFAULT_COSTS, THRESHOLD_STEP, CostMatrix, decisions_at,
                                             least_cost_decision)
from finmodels.models.training.blend import run_title
from finmodels.models.training.members import run_networks

NETWORK = "Neural network"


def model_scores(result) -> dict[str, np.ndarray]:
    """Test scores of the network and of each baseline, keyed by display name, for curves drawn together."""
    from finmodels.models.baselines import BASELINE_LABELS

    scores = {NETWORK: np.asarray(result.test_scores)}
    for key, base in (result.baselines or {}).items():
        s = np.asarray(getattr(base, "test_scores", []))
        if s.shape == scores[NETWORK].shape:
            scores[BASELINE_LABELS.get(key, key)] = s
    return scores


def run_figures(result) -> dict[str, go.Figure]:
    """The evaluation charts that fit the run's task kind, by tab name, the loss curve last."""
    kind = getattr(result, "kind", BINARY)
    y = held_out_labels(result)
    figs: dict[str, go.Figure] = {}
    if kind == BINARY:
        scores = model_scores(result)
        event = result.event_label or "event"
        figs["ROC"] = ev.plot_roc(y, scores)
        figs["Precision-recall"] = ev.plot_pr(y, scores)
        figs["KS"] = ev.plot_ks(y, result.test_scores, event_label=event, nonevent_label=f"not {event}")
        figs["Calibration"] = ev.plot_calibration(y, scores)
        figs["Gain"] = ev.plot_cumulative_gain(y, scores)
        figs["Lift"] = ev.plot_lift(y, scores)
        figs["Score distribution"] = ev.plot_score_distribution(y, result.test_scores, event_label=event,
                                                                nonevent_label=f"not {event}")
    elif kind in (MULTICLASS, ORDINAL):
        labels = np.asarray(result.class_labels, dtype=object)
        predicted = np.asarray(result.details.get("predicted", np.asarray(result.test_scores).argmax(axis=1)))
        if kind == ORDINAL:
            figs["Ratings"] = ev.plot_rating_confusion(labels[y], labels[predicted], result.class_labels)
        else:
            figs["Confusion matrix"] = ev.plot_confusion_matrix(result.details["confusion"], list(labels))
    elif kind == REGRESSION:
        figs["Predicted vs actual"] = ev.plot_predicted_vs_actual(y, result.test_scores)
        figs["Residuals"] = ev.plot_residuals(y, result.test_scores)
    elif kind == FORECAST:
        from finmodels.plots import portfolio as pf
        from finmodels.portfolio import allocation_of, portfolio_of

        d = result.details
        risk, allocation = portfolio_of(result), allocation_of(result)
        if risk is None or len(risk.weights) < 2:  # one series: its own forecast and backtest
            # The naive forecast (yesterday's return) is as noisy as the returns and hid the forecast; it is in the
            # table.
            figs["Forecast"] = ev.plot_forecast(d["dates"], d["actual"], d["forecast"])
            figs["VaR backtest"] = ev.plot_var_backtest(d["dates"], d["actual"], d["var"], level=result.config.var_level)
        else:  # several tickers: the portfolio, not stock-days pooled into one line, is what is backtested
            figs["Portfolio VaR"] = pf.plot_portfolio_var(risk)
            figs["Risk contributions"] = pf.plot_risk_contributions(risk.contributions)
        if allocation is not None:
            figs["Equity curves"] = pf.plot_equity_curves(allocation)
            figs["Weights"] = pf.plot_allocation_weights(allocation)
    elif kind == ANOMALY:
        labelled = len(y) and y.min() >= 0
        figs["Anomaly scores"] = ev.plot_anomaly_scores(result.test_scores, labels=y if labelled else None,
                                                        event_label=result.event_label or "labelled event")
    figs["Loss"] = plot_loss_curve(result.history, networks=run_networks(result))
    return figs


def top_anomalies(result, *, n: int = 20) -> pd.DataFrame:
    """The `n` test rows with the highest anomaly score, score first, in the data's own columns."""
    rows = result.frame.iloc[result.split.test].copy()
    rows.insert(0, "anomaly score", np.asarray(result.test_scores))
    return rows.sort_values("anomaly score", ascending=False).head(n)


def metrics_table(result) -> pd.DataFrame:
    """Test metrics of the network beside each baseline (rows = metrics)."""
    return comparison_table(result.metrics, {k: b.metrics for k, b in (result.baselines or {}).items()})


def metrics_comparison(result) -> tuple[pd.DataFrame, list[str]]:
    """`metrics_table`, and the notes on its empty cells: a forecast run's VaR rows keep only figures comparable with
    the network's (finmodels.evaluation.comparison.var_gaps). The Evaluate page and the report show the same."""
    table = metrics_table(result)
    if getattr(result, "kind", None) != FORECAST:
        return table, []
    from finmodels.evaluation.comparison import var_gaps
    from finmodels.portfolio import portfolio_of

    risk = portfolio_of(result)
    several = risk is not None and len(risk.weights) > 1
    return var_gaps(table, tickers=len(risk.weights) if several else 1,
                    dates=risk.network.result.days if several else None, stock_days=result.split.sizes()["test"])


COUNT_ROWS = ("VaR exceptions",)  # rows of the metrics table that count days: 21, not 21.0000
RETURN_ROWS = ("RMSE", "MAE")  # a returns forecast's errors are returns: in percent, as its tiles and its other figures


def percent_rows(result, table: pd.DataFrame) -> list[str]:
    """The rows of `result`'s metrics table that are returns and read in percent (a forecast's RMSE and MAE)."""
    return [r for r in table.index if r in RETURN_ROWS] if getattr(result, "kind", None) == FORECAST else []


def percent_cell(value: float) -> str:
    """A return in the metrics table: in percent, to the table's four significant digits ('1.141%', '0.7859%')."""
    return f"{value * 100:#.4g}".rstrip(".") + "%"


def p_value_text(value, *, missing: str = "–") -> str:
    """A test's p-value in three decimals, '<0.001' below them (5.5e-12 is not '0.000'), `missing` when the test could
    not be run (too few exceptions)."""
    if value is None or value != value:
        return missing
    return "<0.001" if value < 0.0005 else f"{value:.3f}"


def zone_text(zone) -> str:
    """'Green', or a dash when there are too few days for a Basel zone."""
    return "–" if zone is None else str(zone).capitalize()


def metrics_html(table: pd.DataFrame, *, percent: list[str] | tuple = ()) -> str:
    """The metrics table as HTML: four decimals, counts whole, p-values as `p_value_text`, the `percent` rows (returns,
    `percent_rows`) as `percent_cell`, and an empty cell where a model has no figure (a note under the table says
    why), never 'NaN'."""
    def cell(row: str, value) -> str:
        if value != value:
            return ""
        if row in percent:
            return percent_cell(value)
        if row in COUNT_ROWS:
            return f"{value:,.0f}"
        return p_value_text(value) if "p-value" in row else f"{value:.4f}"

    shown = pd.DataFrame({c: [cell(r, v) for r, v in table[c].items()] for c in table.columns}, index=table.index)
    return shown.to_html(escape=True)


def data_summary(result) -> pd.DataFrame:
    """Rows used and split sizes, target and event share."""
    sizes = result.split.sizes() if hasattr(result.split, "sizes") else {}
    # a run read back from the workspace without its data: the file's shape, kept with the run
    shape = result.frame.shape if result.frame is not None else tuple((result.data_info or {}).get("shape") or "--")
    items = {"rows used": shape[0], "columns": shape[1], "target": result.config.target or "-",
             "task": get_task(result.config.task).label, "split": getattr(result.split, "method", "")}
    items.update({f"{k} rows": v for k, v in sizes.items()})
    if getattr(result, "kind", BINARY) == BINARY and len(result.y):
        items[f"share of {event_phrase(result.config.target, result.event_label)}"] = f"{float(np.mean(result.y)):.1%}"
    return pd.DataFrame({"item": list(items), "value": [plain_value(v) for v in items.values()]})


@dataclass(frozen=True)
class Decision:
    """The decision rule an analyst settled on for a binary run: the threshold and the costs it was chosen with.

    `chosen` says how the threshold came about (set on the Evaluate page, or the least cost at these costs);
    `kept` is True for the decision kept with the run in the workspace (`finmodels.delivery.kept`).
    """

    threshold: float
    costs: CostMatrix
    chosen: str = "set on the Evaluate page"
    kept: bool = False


def default_decision(result) -> Decision:
    """The least-cost threshold at the default costs, for a report built before any threshold was chosen."""
    least = least_cost_threshold_of(result, DEFAULT_COSTS).threshold  # chosen on rows other than the test rows
    return Decision(least, DEFAULT_COSTS, "the least-cost threshold at the default costs (none was set on the Evaluate page)")


def decision_tables(result, decision: Decision) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the rule and its consequences on the test rows, the confusion matrix at its threshold) of a binary run."""
    event = event_phrase(result.config.target, result.event_label)
    y = held_out_labels(result)
    at = decisions_at(y, result.test_scores, decision.threshold, costs=decision.costs)
    least = least_cost_threshold_of(result, decision.costs)
    hindsight = least_cost_decision(y, result.test_scores, decision.costs)
    rule = {
        "threshold": f"{decision.threshold:.2f} ({decision.chosen}); rows scored at or above it are flagged",
        f"cost of a missed {event} (false negative)": f"{decision.costs.false_negative:g}",
        "cost of a false alarm (false positive)": f"{decision.costs.false_positive:g}",
        f"expected cost per row on the {len(y):,} test rows": f"{at.cost:.3f}",
        "least-cost threshold at these costs": f"{least.threshold:.2f}, chosen on {least.basis.phrase()} (costs "
                                               f"{least.on_test.cost:.3f} per test row)",
        **({} if least.basis.on_test else {
            "the test rows' own least cost, in hindsight": f"{hindsight.cost:.3f}, at threshold "
                                                           f"{hindsight.threshold:.2f} (steps of {THRESHOLD_STEP:g})"}),
        "rows flagged": f"{at.flagged:.1%}",
        f"{event} caught (recall)": f"{at.recall:.1%}",
        "precision of flags": f"{at.precision:.1%}",
    }
    table = pd.DataFrame({"item": list(rule), "value": list(rule.values())})
    negative = f"not {event}" if event.startswith("'") else f"not ({event})"
    matrix = pd.DataFrame(at.confusion, index=[f"actual {negative}", f"actual {event}"],
                          columns=[f"predicted {negative}", f"predicted {event}"])
    return table, matrix


def drift_section(name: str, scored) -> list[str]:
    """HTML of a scored file: rows, flags, warnings and population stability (worst columns first)."""
    esc = html.escape
    parts = [f"<h2>Scored file: {esc(name)}</h2>"]
    flagged = scored.flagged
    line = f"{len(scored.table):,} rows scored"
    if flagged is not None:
        line += f"; {flagged:,} flagged at threshold {scored.threshold:.2f}"
    parts.append(f"<p>{esc(line)}.</p>")
    for text in [*scored.warnings, *scored.notes]:
        parts.append(f"<p class='note'>{esc(str(text))}</p>")
    stability = scored.stability.copy()
    if len(stability):
        score, columns = stability.iloc[:1], stability.iloc[1:].sort_values("psi", ascending=False)
        shown = pd.concat([score, columns]).head(16)
        parts.append("<h3>Population stability against the training rows</h3>")
        parts.append("<p class='note'>PSI under 0.1: stable; 0.1 to 0.25: moderate shift; above 0.25: major shift. "
                     f"The score first, then the {len(shown) - 1} columns that moved most.</p>")
        parts.append(shown[["name", "psi", "band"]].to_html(index=False, escape=True,
                                                            float_format=lambda v: f"{v:.3f}"))
    return parts


def loss_section(result) -> list[str]:
    """A loss model's (or a credit default model's expected loss on a file with LGD and EAD) predicted against
    realised loss: the totals, the calibration bins and their chart, as report sections (none for other runs). Comes
    after the charts, whose first figure carries plotly's JavaScript."""
    from finmodels.evaluation.losses import losses_of
    from finmodels.plots.losses import plot_loss_calibration

    found = losses_of(result)
    if found is None:
        return []
    title = "Expected loss (PD × LGD × EAD)" if found.predicts == "pd" else "Calibration of losses"
    used = ", ".join(f"{name} '{col}'" for name, col in (("EAD", found.exposure), ("PD", found.pd),
                                                          ("LGD", found.lgd)) if col)
    totals = pd.DataFrame({"item": ["test rows", "predicted loss", "realised loss", "predicted / realised",
                                    "calibration error (mean absolute, per bin)"],
                           "value": [f"{found.rows:,}", f"{found.predicted_total:,.4g}", f"{found.realised_total:,.4g}",
                                     f"{found.loss_ratio:.3f}", f"{found.calibration_error:.4g}"]})
    parts = [f"<h2>{html.escape(title)}</h2>",
             paragraph(f"On the test rows{f', with the columns {used}' if used else ''}.", "note"),
             totals.to_html(index=False, escape=True),
             html_table(found.calibration.drop(columns=[] if found.exposure else ["exposure"])),
             plot_loss_calibration(found).to_html(full_html=False, include_plotlyjs=False)]
    parts += [paragraph(note, "note") for note in found.notes]
    return parts


def scorecard_tables_section(result) -> list[str]:
    """A binary run's scorecard challenger: each feature's information value, and the points of every bin."""
    from finmodels.models.scorecard_tables import tables_of

    found = tables_of(result) if getattr(result, "kind", BINARY) == BINARY else None
    if found is None:
        return []
    iv, bins, points = found
    table = bins.merge(points[["feature", "bin", "points"]], on=["feature", "bin"], how="left")
    return ["<h2>Scorecard challenger</h2>",
            paragraph("Optimal monotonic bins of each column in its own units, weight of evidence (WoE), a logistic "
                      "regression on WoE and points; its metrics are in the table of baselines above.", "note"),
            "<h3>Information value</h3>", html_table(iv),
            "<h3>Bins and points</h3>",
            html_table(table[["feature", "bin", "rows", "event_rate", "woe", "iv", "points"]])]


def backtest_table(risk) -> pd.DataFrame:
    """A portfolio's VaR backtest, one row per method (network, historical simulation, EWMA): exceptions, expected,
    p-values and zones, as shown on the Evaluate page and in the report (p-values and zones a dash when they cannot
    be had)."""
    rows = []
    for b in risk.backtests.values():
        s = b.summary()
        rows.append({"method": b.label, "periods": s["days"], "exceptions": s["exceptions"],
                     "expected": expected_text(b.result.expected), KUPIEC: p_value_text(s["kupiec_p"]),
                     INDEPENDENCE: p_value_text(s["christoffersen_p"]),
                     "Basel zone": zone_text(s["zone"])})
    return pd.DataFrame(rows)


def named_whatifs(result, kept: dict | None) -> dict | None:
    """`kept` with each kept what-if's row named as the Explain page and the reason codes name it ('line 22761 of the
    file · ID 22760'; it was named as the analyst picked it, by line or by "ID = '22760'"), when the run has its
    file at hand."""
    frame = getattr(result, "frame", None)
    whatifs = (kept or {}).get("whatif")
    if not whatifs or frame is None or getattr(result, "kind", None) == FORECAST:
        return kept
    from finmodels.explain.labels import line_labels

    rows = sorted({w["row"] for w in whatifs if isinstance(w.get("row"), int) and 0 <= w["row"] < len(frame)})
    names = dict(zip(rows, line_labels(frame, rows, target=result.config.target)))
    return {**kept, "whatif": [{**w, "row_label": names.get(w.get("row"), w.get("row_label"))} for w in whatifs]}


def build_report(result, *, data_name: str, explanation=None, reason_rows: int = 3,
                 created: dt.datetime | None = None, decision: Decision | None = None,
                 scored: tuple[str, object] | None = None, kept: dict | None = None, dependence=()) -> str:
    """One self-contained HTML page: data summary, configuration, metrics against baselines, the decision rule
    (binary runs: threshold, cost matrix and the confusion matrix at it; `decision` or the least cost at default
    costs), charts, (when `explanation` is given) the columns that drive the model and reason codes of a few rows,
    what was kept with the run (`kept`, as `finmodels.runtime.records.kept_results` reads it: fairness by
    protected column, what-ifs, the search that chose its settings), and (when `scored` is a (file name,
    ScoredFile) pair) the scored file's flags and drift; `dependence`: PartialDependence curves of the top columns."""
    created = created or dt.datetime.now(dt.timezone.utc)
    task = get_task(result.config.task)
    esc = html.escape
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{esc(task.label)} model report · {esc(data_name)}</title><style>{STYLE}{FLAG_STYLE}</style></head><body>",
        f"<h1>{esc(task.label)} model report</h1>",
        f"<p class='note'>Data: {esc(data_name)} · network: "
        f"{esc(run_title(result))} · created "
        f"{created:%Y-%m-%d %H:%M} UTC by Risk model studio. Metrics are on held-out test rows the model never saw "
        "in training.</p>",
        "<h2>Data</h2>", data_summary(result).to_html(index=False, escape=True),
        "<h2>Configuration</h2>", config_table(result).to_html(index=False, escape=True),
        "<h2>Metrics against the baselines</h2>",
        paragraph(baselines_note(result), "note"),
    ]
    table, gaps = metrics_comparison(result)
    parts += [metrics_html(table, percent=percent_rows(result, table)), *(paragraph(note, "note") for note in gaps)]
    for note in getattr(result, "notes", []) or []:
        parts.append(f"<p class='note'>{esc(str(note))}</p>")
    from finmodels.delivery.market_report import portfolio_tables

    parts += portfolio_tables(result)
    parts += scorecard_tables_section(result)
    if getattr(result, "kind", BINARY) == BINARY:
        decision = decision or default_decision(result)
        rule, matrix = decision_tables(result, decision)
        parts += ["<h2>Decision</h2>", rule.to_html(index=False, escape=True),
                  f"<h3>Confusion matrix at threshold {decision.threshold:.2f} (test rows)</h3>",
                  matrix.to_html(escape=True)]
    parts.append("<h2>Charts</h2>")
    first = True
    for name, fig in run_figures(result).items():
        parts.append(f"<h3>{esc(name)}</h3>")
        parts.append(fig.to_html(full_html=False, include_plotlyjs=True if first else False))
        first = False
    parts += loss_section(result)
    if explanation is not None:
        from finmodels.plots.explanation import plot_importance

        parts.append("<h2>What drives the model</h2>")
        parts.append(f"<p class='note'>{esc(explanation.summary())}</p>")
        if explanation.lag_values is None:  # a driver that describes the record (an agency, an id), as Explain flags
            from finmodels.explain.drivers import explanation_record_drivers

            parts += [paragraph(d.message, "flag") for d in explanation_record_drivers(explanation, result)]
        parts.append(plot_importance(explanation.importance(), unit=explanation.scale)
                     .to_html(full_html=False, include_plotlyjs=False))
        from finmodels.explain.labels import explained_row_names

        order = np.argsort(-np.asarray(explanation.predictions))[:reason_rows]
        names = explained_row_names(result, explanation)  # 'line 22761 of the file · ID 22760', as Explain names it
        parts.append(f"<h3>Reason codes of the {len(order)} highest-scored explained rows</h3>")
        for i in order:
            codes = "".join(f"<li>{esc(c)}</li>" for c in explanation.reason_codes(int(i)))
            predicted = explanation.output_text(float(explanation.predictions[i]))  # a return in percent
            parts.append(f"<p>{esc(names[i][:1].upper() + names[i][1:])}, with {esc(explanation.output_name)} "
                         f"{esc(predicted)}:</p><ul>{codes}</ul>")
    parts += dependence_section(dependence)
    parts += kept_sections(named_whatifs(result, kept))
    if scored is not None:
        parts += drift_section(*scored)
    parts.append("</body></html>")
    return "\n".join(parts)



def dependence_section(found) -> list[str]:
    """'How the score moves with its top columns': each PartialDependence's chart and its shape in words."""
    if not found:
        return []
    from finmodels.delivery.html import bullets
    from finmodels.explain.dependence_notes import notes, thin_note
    from finmodels.plots.dependence import plot_partial_dependence

    first = found[0]
    parts = ["<h2>How the score moves with its top columns</h2>",
             paragraph(f"Partial dependence: {len(first.rows)} test rows scored again with one column set to each value "
                       "across the bulk of its training values, the others as they are; the faint lines are single "
                       "rows, the bold line their average.", "note")]
    for one in found:  # the words as the Explain page and the model document say them: thin levels flagged
        thin = thin_note(one)
        parts += [f"<h3>{html.escape(str(one.column))}</h3>", paragraph(f"On average, the {one.score_name} {one.shape}."),
                  plot_partial_dependence(one).to_html(full_html=False, include_plotlyjs=False),
                  *([paragraph(thin, "flag")] if thin else []), bullets([s for s in notes(one) if s != thin])]
    return parts

"""SHAP explanations in the analyst's own columns: what drives a model overall and each row's reason codes.

`explain_result` explains a trained network (or one of its baselines) on test rows against a background
sample of its training rows; `explain_table` does the same for any fitted model and preprocessor, and
`explain_windows` for sequence models, per lag and per input series. One-hot levels are summed back to their
column, values are shown unscaled, and the output's scale (probability, log-odds, model output) is stated.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from finmodels.explain.background import (
    DEFAULT_BACKGROUND_ROWS, DEFAULT_MAX_ROWS, DEFAULT_MAX_WINDOWS, background_positions, outcome_labels,
    run_background, sample_rows,
)
from finmodels.errors import ConfigError, DataError
from finmodels.explain.explainers import (
    LOG_ODDS, OUTPUT, PROBABILITY, additivity, attribute, keras_predict, sklearn_predict,
)
from finmodels.explain.outputs import OutputChoice, RunFacts, classes_of, output_choice, output_name, run_facts
from finmodels.explain.reasons import DEFAULT_REASONS, negligible_effect, no_reasons_text, reason_codes
from finmodels.explain.units import RETURN, percent, value_text
from finmodels.data.tasks import ANOMALY, BINARY, FORECAST, MULTICLASS, ORDINAL


@dataclass
class Explanation:
    """SHAP values per explained row and original column, with what they add up to and how they were made.

    `values[i].sum() + base_value` equals `predictions[i]` within `additivity_tolerance`, on `scale`.
    For sequence models `columns` are the input series (values are per-series totals over the window) and
    `lag_values` holds rows x lags x series, with `lags[j]` steps before the forecast.
    """

    explainer: str
    columns: list[str]
    values: np.ndarray  # rows x columns
    base_value: float
    predictions: np.ndarray
    data: pd.DataFrame  # the explained rows, original units
    background_rows: int
    seconds: float
    scale: str = PROBABILITY
    output_name: str = "predicted probability"
    method: str = ""
    failures: tuple[str, ...] = ()
    rows_note: str = ""
    background_note: str = ""
    lag_values: np.ndarray | None = None
    lags: list[int] = field(default_factory=list)
    row_ids: np.ndarray | None = None  # where each explained row came from: frame index, or window position
    # the class whose probability is explained: a binary model's risk event, the chosen class of a rating or
    # multi-class model; None for values, returns and anomaly scores
    target_class: str | None = None

    def rows_by_prediction(self) -> list[int]:
        """Positions of the explained rows, highest prediction first."""
        return [int(i) for i in np.argsort(-np.asarray(self.predictions), kind="stable")]

    def importance(self) -> pd.Series:
        """Mean absolute SHAP value per column, largest first."""
        return pd.Series(np.abs(self.values).mean(axis=0), index=self.columns).sort_values(ascending=False)

    @property
    def additivity_error(self) -> float:
        """Largest |base + sum(contributions) - prediction| over the explained rows."""
        return additivity(self)[0]

    @property
    def additivity_tolerance(self) -> float:
        """ADDITIVITY_SHARE of the output range: 1 for a probability, else the spread of the outputs."""
        return additivity(self)[1]

    @property
    def additive(self) -> bool:
        return self.additivity_error <= self.additivity_tolerance

    def contributions(self, row: int) -> pd.DataFrame:
        """One row's columns with their original value and contribution, largest absolute effect first; a forecast's
        (return scale) as text in percent, as its waterfall and reason codes write them ('6.65%', '+0.61%')."""
        frame = pd.DataFrame({"column": self.columns, "value": [self.data.iloc[row][c] for c in self.columns],
                              "contribution": self.values[row]})
        frame = frame.reindex(frame["contribution"].abs().sort_values(ascending=False).index).reset_index(drop=True)
        if self.scale == RETURN:
            frame["value"] = [value_text(c, v, self.scale) for c, v in zip(frame["column"], frame["value"])]
            frame["contribution"] = [percent(v, sign=True) for v in frame["contribution"]]
        return frame

    def output_text(self, value: float) -> str:
        """A prediction as the page names a row by it: a return in percent ('0.31%'), else three decimals."""
        return percent(value) if self.scale == RETURN else f"{value:.3f}"

    def reason_codes(self, row: int, *, k: int = DEFAULT_REASONS) -> list[str]:
        """The `k` columns that raised this row's output most, as sentences (see finmodels.explain.reasons); a
        forecast's returns in percent."""
        values = self.data.iloc[row]
        if self.scale == RETURN:
            values = pd.Series({c: value_text(c, values[c], self.scale) for c in self.columns})
        return reason_codes(pd.Series(self.values[row], index=self.columns), values,
                            output_name=self.output_name, k=k, window=len(self.lags) or None,
                            min_effect=negligible_effect(self.scale, self.predictions),
                            **({"effect_text": percent} if self.scale == RETURN else {}))

    def no_reasons_text(self) -> str:
        """What a row without reason codes says: no column raised its output by more than the negligible effect
        ('... by more than 0.005', a forecast's in percent), so the small rises its waterfall shows are not denied."""
        return no_reasons_text(self.output_name, negligible_effect(self.scale, self.predictions),
                               **({"effect_text": percent} if self.scale == RETURN else {}))

    def lag_importance(self) -> pd.DataFrame:
        """Sequence models: mean |SHAP| per lag (rows) and series (columns)."""
        if self.lag_values is None:
            raise ConfigError("This explanation is not of a sequence model; it has no per-lag values.")
        return pd.DataFrame(np.abs(self.lag_values).mean(axis=0), index=self.lags, columns=self.columns)

    def summary(self) -> str:
        """One paragraph saying what was explained, how, on which scale, and how well it adds up."""
        parts = [f"{self.explainer} ({self.method}).", self.rows_note, f"Background: {self.background_note}",
                 f"Values are changes in the {self.output_name} ({self.scale} scale); base value "
                 f"{self.output_text(self.base_value) if self.scale == RETURN else format(self.base_value, '.4g')}.",
                 f"Additivity error {self._small(self.additivity_error)} (tolerance "
                 f"{self._small(self.additivity_tolerance)})."]
        if self.failures:
            parts.append("Fell back after: " + "; ".join(self.failures) + ".")
        return " ".join(p for p in parts if p)

    def _small(self, value: float) -> str:  # an additivity figure: a return's in percent
        return f"{value * 100:.2g}%" if self.scale == RETURN else f"{value:.2g}"

    def global_dict(self) -> dict:
        """Plain JSON-ready content of the whole explanation: the choice, the scale, importance and additivity."""
        return {
            "explainer": self.explainer, "method": self.method, "fallbacks": list(self.failures),
            "scale": self.scale, "output": self.output_name, "class": self.target_class,
            "background_rows": self.background_rows,
            "background": self.background_note, "rows_explained": len(self.predictions), "rows_note": self.rows_note,
            "base_value": self.base_value,
            "importance": {str(c): float(v) for c, v in self.importance().items()},
            "additivity_error": self.additivity_error, "additivity_tolerance": self.additivity_tolerance,
            "seconds": self.seconds,
        }

    def to_dict(self, *, reasons: int = DEFAULT_REASONS) -> dict:
        """`global_dict` and every explained row: its prediction, contributions and reason codes."""
        return {
            **self.global_dict(),
            "rows": [
                {"prediction": float(self.predictions[i]), "base_value": self.base_value,
                 "contributions": {str(c): float(v) for c, v in zip(self.columns, self.values[i])},
                 "reason_codes": self.reason_codes(i, k=reasons)}
                for i in range(len(self.predictions))
            ],
        }


def explain_table(model, preprocessor, rows: pd.DataFrame, background: pd.DataFrame, *,
                  labels: np.ndarray | None = None, max_rows: int = DEFAULT_MAX_ROWS, background_note: str = "",
                  explainers: tuple[str, ...] | None = None, choice: OutputChoice | None = None,
                  seed: int = 0, pairs: int | None = None, what: str = "rows") -> Explanation:
    """Explain up to `max_rows` of `rows` (original columns) for a fitted model on `preprocessor`'s inputs.

    `background` are the (already sampled) reference rows; `labels` are the outcomes of `rows`, used to keep
    the event's share when only `max_rows` are explained. `explainers` forces an order of explainer keys;
    `choice` says which output is explained (default: a classifier's event probability).
    """
    choice = choice or OutputChoice(None, PROBABILITY, "predicted probability")
    chosen = sample_rows(labels, max_rows, total=len(rows), seed=seed, what=what)
    picked = rows.iloc[chosen.positions]
    x_rows, x_bg = preprocessor.transform(picked), preprocessor.transform(background)
    columns = list(preprocessor.groups)
    start = time.perf_counter()
    found = attribute(model, x_bg, x_rows, groups=[preprocessor.groups[c] for c in columns], predict=choice.predict,
                      candidates=explainers or choice.explainers, output=choice.output, seed=seed, pairs=pairs,
                      scale=choice.scale, affine=choice.affine)
    seconds = time.perf_counter() - start
    name = choice.name
    if found.scale == LOG_ODDS and choice.scale == PROBABILITY:  # linear SHAP explains a classifier's log-odds
        name = name.replace("probability of", "log-odds of").replace("default probability", "default log-odds")
    return Explanation(
        explainer=found.explainer, columns=columns, values=found.values, base_value=found.base_value,
        predictions=found.predictions, data=picked[columns].reset_index(drop=True), background_rows=len(background),
        seconds=seconds, scale=found.scale, output_name=name, method=found.method, failures=found.failures,
        rows_note=_explained(chosen.note), background_note=background_note or f"{len(background):,} rows.",
        row_ids=picked.index.to_numpy(), target_class=choice.target_class,
    )


def _explained(note: str) -> str:
    return f"Explained {note[0].lower()}{note[1:]}"


def _model_of(result, baseline: str | None):
    if baseline is None:
        return result.model
    if baseline not in result.baselines:
        raise ConfigError(f"Unknown baseline '{baseline}'. This run has: {', '.join(result.baselines) or 'none'}.")
    model = result.baselines[baseline].model
    if model is None:
        raise ConfigError(f"The '{baseline}' baseline is a fixed rule, not a fitted model; it has nothing to explain. "
                          "Explain the network or a fitted baseline.")
    return model


def explainable_classes(run) -> list[str]:
    """The classes a run (TrainingResult or LoadedBundle) can explain, for a class selector: a rating model's
    in scale order (AAA ... D), a multi-class model's in label order, a binary model's risk event; else []."""
    return classes_of(run_facts(run))


def common_class(run, classes: list[str]) -> str | None:
    """Of `classes`, the one most of the run's rows hold (a rating file's BBB, not AAA's handful), for a class
    selector's first choice; the first class when the run has no rows at hand (read back from a workspace)."""
    frame, target = getattr(run, "frame", None), getattr(getattr(run, "config", None), "target", None)
    if not classes:
        return None
    if frame is None or target not in getattr(frame, "columns", ()):
        return classes[0]
    counts = frame[target].astype(str).value_counts()
    held = [c for c in counts.index if c in classes]
    return held[0] if held else classes[0]


def _class_asked(target_class, output):
    if target_class is not None and output is not None and str(target_class) != str(output):
        raise ConfigError(f"Give the class to explain once: target_class='{target_class}' and output='{output}' "
                          "differ. Use target_class.")
    return target_class if target_class is not None else output


def explain_result(result, *, target_class: str | None = None, rows: int | None = None,
                   background: int = DEFAULT_BACKGROUND_ROWS, seed: int = 0, baseline: str | None = None,
                   background_method: str = "stratified", explainers: tuple[str, ...] | None = None,
                   output: str | int | None = None, pairs: int | None = None) -> Explanation:
    """Explain up to `rows` test rows (or windows) of a TrainingResult against `background` training rows.

    `target_class` is the class whose probability a rating or multi-class run explains (one of
    `explainable_classes(result)`; default the most common training class); the explanation's `target_class`
    says which it was, and its reason codes speak of that class. `output` is its older name (a label or index).
    `rows` defaults to 1,000 table rows (stratified by outcome) or 200 windows of a sequence model.
    `baseline` names one of `result.baselines` (e.g. 'logistic_regression') to explain it instead of the
    network; `background_method` is 'stratified' (by outcome) or 'kmeans'.
    """
    model = _model_of(result, baseline)
    choice = output_choice(run_facts(result), model, neural=baseline is None,
                           output=_class_asked(target_class, output))
    kind = getattr(result, "kind", BINARY)
    if kind == FORECAST:
        return _explain_forecast(result, model, choice, rows=DEFAULT_MAX_WINDOWS if rows is None else rows,
                                 background=background, seed=seed, background_method=background_method,
                                 explainers=explainers, pairs=pairs)
    # an anomaly run's chosen target is held out of training, but it still keeps each outcome's share of the rows
    y = outcome_labels(result)
    if background_method == "stratified":  # from the rows its bundle keeps, drawn as the commands draw a bundle's
        bg = run_background(result, background, seed=seed)
        reference = result.frame.iloc[bg.positions]
    else:  # k-means needs the model inputs (an unknown method is refused)
        train_rows = result.frame.iloc[result.split.train]
        x_train = (result.preprocessor.transform(train_rows) if background_method == "kmeans"
                   else np.zeros((len(train_rows), 0)))
        bg = background_positions(x_train, None, background, method=background_method, seed=seed)
        reference = train_rows.iloc[bg.positions]
    return explain_table(
        model, result.preprocessor, result.frame.iloc[result.split.test], reference,
        labels=None if y is None else y[result.split.test], max_rows=DEFAULT_MAX_ROWS if rows is None else rows,
        background_note=bg.note,
        explainers=explainers, choice=choice, seed=seed, pairs=pairs, what="test rows",
    )


def _explain_forecast(result, model, choice: OutputChoice, *, rows, background, seed, background_method, explainers,
                      pairs) -> Explanation:
    pre = result.preprocessor
    windows = pre.windows(result.frame)
    x = pre.scale(windows.x)
    train, test = result.split.train, result.split.test
    bg = background_positions(x[train], None, background, method=background_method, seed=seed)
    last = pd.DataFrame(windows.x[test][:, -1, :], columns=pre.columns)
    predict = choice.predict
    if predict is None and baseline_like(model):
        predict = sklearn_predict(model)
    return explain_windows(model, x[train][bg.positions], x[test], series=pre.columns, raw_last=last,
                           max_rows=rows, predict=predict, explainers=explainers, output=choice.name,
                           scale=choice.scale, affine=choice.affine, seed=seed, pairs=pairs,
                           background_note=bg.note.replace("training rows", "training windows"), what="test windows")


def baseline_like(model) -> bool:
    """True for a fitted scikit-learn model (the baselines), False for a Keras network."""
    return hasattr(model, "fit") and hasattr(model, "get_params")


def explain_bundle(bundle, frame: pd.DataFrame, *, target_class: str | None = None, rows: int | None = None,
                   background: int = DEFAULT_BACKGROUND_ROWS, seed: int = 0, explainers: tuple[str, ...] | None = None,
                   output: str | int | None = None, pairs: int | None = None) -> Explanation:
    """Explain up to `rows` rows (or windows, for a forecast model) of `frame` with a LoadedBundle's model.

    `target_class` is the class a rating or multi-class model explains (one of `explainable_classes(bundle)`;
    default the class it predicts most for its saved training rows); `output` is its older name. The background
    is a sample of the training rows saved in the bundle. When `frame` has the target column of a
    classification run, the explained rows keep each outcome's share.
    """
    facts = run_facts(bundle)
    pre = bundle.preprocessor
    asked = _class_asked(target_class, output)
    if facts.kind in (MULTICLASS, ORDINAL) and asked is None:  # no training labels: the most predicted class
        mean = np.asarray(bundle.model.predict_on_batch(pre.transform(bundle.background))).mean(axis=0)
        facts = replace(facts, default_class=int(np.argmax(mean)))
    choice = output_choice(facts, bundle.model, output=asked)
    if facts.kind == FORECAST:
        windows, saved = pre.windows(frame), pre.windows(bundle.background)
        bg = sample_rows(None, background, total=len(saved.x), seed=seed, what="training windows saved in the bundle")
        return explain_windows(
            bundle.model, pre.scale(saved.x[bg.positions]), pre.scale(windows.x), series=pre.columns,
            raw_last=pd.DataFrame(windows.x[:, -1, :], columns=pre.columns),
            max_rows=DEFAULT_MAX_WINDOWS if rows is None else rows,
            predict=choice.predict,
            explainers=explainers, output=choice.name, scale=choice.scale, affine=choice.affine, seed=seed,
            pairs=pairs, background_note=bg.note, what="windows")
    missing = [c for c in pre.columns if c not in frame.columns]
    if missing:
        raise DataError(f"The file lacks {len(missing)} column(s) the model was trained on: "
                        f"{', '.join(map(str, missing[:10]))}{' ...' if len(missing) > 10 else ''}. "
                        "Explain a file with the training columns.")
    labels = None
    if facts.kind in (BINARY, MULTICLASS, ORDINAL, ANOMALY) and facts.target and facts.target in frame.columns:
        labels = frame[facts.target].astype(str).to_numpy()
    bg = sample_rows(None, background, total=len(bundle.background), seed=seed,
                     what="training rows saved in the bundle")
    return explain_table(bundle.model, pre, frame, bundle.background.iloc[bg.positions], labels=labels,
                         max_rows=DEFAULT_MAX_ROWS if rows is None else rows,
                         background_note=bg.note, explainers=explainers, choice=choice, seed=seed, pairs=pairs)


def explain_windows(model, background: np.ndarray, windows: np.ndarray, *, series: list[str],
                    raw_last: pd.DataFrame | None = None, labels: np.ndarray | None = None,
                    max_rows: int = DEFAULT_MAX_ROWS, predict=None, explainers: tuple[str, ...] | None = None,
                    output: str = "model output", scale: str = OUTPUT, affine: tuple[float, float] = (1.0, 0.0),
                    background_note: str = "", seed: int = 0, pairs: int | None = None,
                    what: str = "windows") -> Explanation:
    """Explain a sequence model on windows (rows x lags x series): one value per lag and series.

    `raw_last` holds each window's last observation per series in original units, shown as the row's values;
    the explanation's columns are the series, with per-series totals over the window.
    """
    windows = np.asarray(windows, dtype="float32")
    if windows.ndim == 2:
        windows = windows[..., None]
    n_lags, n_series = windows.shape[1], windows.shape[2]
    if len(series) != n_series:
        raise ConfigError(f"{len(series)} series names for windows with {n_series} series.")
    chosen = sample_rows(labels, max_rows, total=len(windows), seed=seed, what=what)
    picked = windows[chosen.positions]
    cells = [[lag * n_series + s] for lag in range(n_lags) for s in range(n_series)]
    if predict is None:
        predict = sklearn_predict(model) if baseline_like(model) else keras_predict(model)
    start = time.perf_counter()
    found = attribute(model, np.asarray(background, dtype="float32").reshape(len(background), n_lags, n_series),
                      picked, groups=cells, predict=predict, candidates=explainers, seed=seed, pairs=pairs,
                      scale=scale, affine=affine)
    seconds = time.perf_counter() - start
    lag_values = found.values.reshape(len(picked), n_lags, n_series)
    if raw_last is None:
        raw_last = pd.DataFrame(picked[:, -1, :], columns=series)
    else:
        raw_last = raw_last.iloc[chosen.positions].reset_index(drop=True)
    return Explanation(
        explainer=found.explainer, columns=list(series), values=lag_values.sum(axis=1), base_value=found.base_value,
        predictions=found.predictions, data=raw_last[list(series)], background_rows=len(background), seconds=seconds,
        scale=found.scale, output_name=output, method=found.method, failures=found.failures,
        rows_note=_explained(chosen.note), background_note=background_note or f"{len(background):,} windows.",
        lag_values=lag_values, lags=list(range(n_lags, 0, -1)), row_ids=chosen.positions,
    )


__all__ = ["Explanation", "OutputChoice", "RunFacts", "explain_bundle", "explain_result", "explain_table",
           "explain_windows", "explainable_classes", "output_choice", "output_name", "run_facts"]

"""The SHAP explainers, which one suits which model, and running them with a fallback.

Every explainer returns values per *group* of model inputs (the one-hot levels of one original column, or one
cell of a sequence window), so the caller never sums levels after the fact. The choice is reported:

- dense and convolutional Keras models: DeepExplainer (DeepLIFT rescale rule; additive to float precision),
  then permutation SHAP, then GradientExplainer (expected gradients; only approximately additive);
- recurrent Keras models and plain score functions (a VAE's reconstruction error): permutation SHAP, because
  shap's gradient explainers fail on LSTM/GRU graphs (measured: `shap_TensorListStack`, `shap_StridedSlice`);
- HistGradientBoosting: TreeExplainer (interventional, probability scale); logistic or linear regression:
  linear SHAP (log-odds for a classifier).

A failed DeepExplainer leaves TensorFlow's `record_gradient` patched, after which every `fit()` in the process
fails (`gradient registry has no entry for: shap_DivNoNan`); `tensorflow_gradients_restored` undoes that.
"""

from __future__ import annotations

import contextlib
import warnings
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from finmodels.runtime.locks import GRADIENT_LOCK
from finmodels.errors import ConfigError, FinModelsError
from finmodels.explain.permutation import DEFAULT_EVALUATIONS, permutation_pairs, permutation_values

Predict = Callable[[np.ndarray], np.ndarray]
Groups = list[list[int]]  # per group, the flat positions of its model inputs

PROBABILITY, LOG_ODDS, OUTPUT = "probability", "log-odds", "model output"
RECURRENT_LAYERS = {"LSTM", "GRU", "SimpleRNN", "RNN", "Bidirectional", "ConvLSTM1D", "ConvLSTM2D"}
PREDICT_BATCH_ROWS = 1 << 16
PREDICT_BUCKETS = (1 << 13, PREDICT_BATCH_ROWS)
ADDITIVITY_SHARE = 1e-3  # base value + contributions must equal the output to this share of its range


class ExplainerFailed(FinModelsError):
    """No explainer could explain the model; the message lists what each one said."""


@dataclass(frozen=True)
class Attribution:
    """Values per explained row and input group, with the base value and outputs they add up to."""

    explainer: str
    values: np.ndarray  # rows x groups
    base_value: float
    predictions: np.ndarray
    scale: str
    method: str  # one line on how the numbers were computed
    failures: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class ExplainerSpec:
    """One explainer: registry key, the name reported to analysts, and how it runs."""

    key: str
    label: str
    description: str
    run: Callable[..., tuple[np.ndarray, float, np.ndarray, str | None, str]]  # scale None: predict's scale


def keras_predict(model, *, output: int | None = 0) -> Predict:
    """A fast batch predict for a Keras model: `model(x, training=False)` compiled once, in padded chunks.

    Large batches (a permutation explainer's masked rows) go through an XLA-compiled `tf.function` (measured
    here: 5x the eager call, 2x `predict_on_batch` on an LSTM), padded to two fixed sizes so it compiles at most
    twice; small batches, and every batch should compilation fail, use `predict_on_batch`. Never
    `model.predict`, measured at 60 to 300 times slower per call. `output` picks one output column (a 1-D
    result); None keeps them all (rows x outputs, e.g. a VAE's reconstruction).
    """
    import tensorflow as tf

    compiled = tf.function(lambda a: model(a, training=False), jit_compile=True)
    state = {"compiled": True}

    def call(part: np.ndarray) -> np.ndarray:
        n = len(part)
        if state["compiled"] and n > PREDICT_BUCKETS[0] // 2:
            size = next(b for b in PREDICT_BUCKETS if b >= n)
            padded = part if n == size else np.concatenate([part, np.zeros((size - n, *part.shape[1:]), part.dtype)])
            try:
                return np.asarray(compiled(padded))[:n]
            except Exception:  # noqa: BLE001 - a layer XLA cannot compile: use Keras' own batch predict
                state["compiled"] = False
        return np.asarray(model.predict_on_batch(part))

    def predict(x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype="float32")
        parts = []
        for start in range(0, len(x), PREDICT_BATCH_ROWS):
            out = np.asarray(call(x[start:start + PREDICT_BATCH_ROWS]), dtype="float64")
            out = out.reshape(len(out), -1)
            parts.append(out if output is None else out[:, output])
        return np.concatenate(parts) if parts else np.zeros(0)

    return predict


def sklearn_predict(model, *, output: int = -1) -> Predict:
    """Probability of class `output` (default: the positive class) for a classifier, the prediction otherwise."""
    if hasattr(model, "predict_proba"):
        return lambda x: np.asarray(model.predict_proba(x.reshape(len(x), -1)))[:, output].astype("float64")
    return lambda x: np.asarray(model.predict(x.reshape(len(x), -1)), dtype="float64")


def group_sum(values: np.ndarray, groups: Groups) -> np.ndarray:
    """Sum per-input values (rows x inputs, any trailing shape) into one value per group."""
    flat = values.reshape(len(values), -1)
    return np.stack([flat[:, idx].sum(axis=1) for idx in groups], axis=1)


@contextlib.contextmanager
def tensorflow_gradients_restored():
    """Put back TensorFlow's gradient recording and registry however a shap gradient explainer ends."""
    from tensorflow.python.eager import execute as tf_execute
    from tensorflow.python.framework import ops as tf_ops

    saved_record = tf_execute.record_gradient
    registry = tf_ops._gradient_registry._registry
    saved_types = {name: entry.get("type") for name, entry in registry.items()}
    try:
        yield
    finally:
        tf_execute.record_gradient = saved_record
        # only what shap adds: its 'shap_<op>' entries and the TensorListReserve placeholder
        added = [n for n in registry if n not in saved_types]
        for name in [n for n in added if n.startswith("shap_") or n == "TensorListReserve"]:
            del registry[name]
        for name, kind in saved_types.items():
            if name in registry:
                registry[name]["type"] = kind


def single_output(model, output: int):
    """The model cut down to output column `output`, so shap does not explain every class of a softmax.

    The cut is a fixed one-hot Dense layer: a linear op DeepLIFT passes through exactly (a slice op is not).
    """
    import keras

    width = int(np.prod(model.outputs[0].shape[1:]))
    if width == 1:
        return model
    pick = keras.layers.Dense(1, use_bias=False, trainable=False, name="explained_output")
    out = pick(model.outputs[0])
    kernel = np.zeros((width, 1), dtype="float32")
    kernel[output, 0] = 1.0
    pick.set_weights([kernel])
    return keras.Model(model.inputs, out)


@contextlib.contextmanager
def _shap_quiet():
    """Silence what shap's explainers make Keras and TensorFlow say on every call, about shap's calls, not ours: the
    model called with a list of one array (a new message for each batch size, so it flooded the server log), and
    shap's TensorFlow version notice."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The structure of `inputs` doesn't match", category=UserWarning)
        warnings.filterwarnings("ignore", message="Your TensorFlow version is newer")
        yield


def _run_deep(model, background, rows, *, groups, predict, output=0, **_):
    import shap

    with GRADIENT_LOCK, tensorflow_gradients_restored(), _shap_quiet():
        explainer = shap.DeepExplainer(single_output(model, output), background)
        raw = explainer.shap_values(rows, check_additivity=False)
    values = group_sum(_last_axis_output(raw, rows, 0), groups)
    return values, float(np.mean(predict(background))), predict(rows), None, (
        f"DeepLIFT rescale rule against {len(background)} background rows")


def _run_gradient(model, background, rows, *, groups, predict, output=0, seed=0, **_):
    import shap

    with GRADIENT_LOCK, tensorflow_gradients_restored(), _shap_quiet():
        explainer = shap.GradientExplainer(single_output(model, output), background, batch_size=256)
        raw = explainer.shap_values(rows, nsamples=200, rseed=seed)
    values = group_sum(_last_axis_output(raw, rows, 0), groups)
    return values, float(np.mean(predict(background))), predict(rows), None, (
        f"expected gradients, 200 samples per row, against {len(background)} background rows "
        "(approximately additive)")


def _last_axis_output(raw, rows: np.ndarray, output: int) -> np.ndarray:
    """shap returns (rows, *input, outputs) or a list per output; keep one output, shaped like `rows`."""
    if isinstance(raw, list):
        return np.asarray(raw[output])
    raw = np.asarray(raw)
    if raw.ndim == rows.ndim + 1:
        return raw[..., output]
    return raw


def _run_tree(model, background, rows, *, groups, predict, **_):
    import shap

    flat_bg, flat_rows = background.reshape(len(background), -1), rows.reshape(len(rows), -1)
    classifier = hasattr(model, "predict_proba")
    explainer = shap.TreeExplainer(model, flat_bg, feature_perturbation="interventional",
                                   model_output="probability" if classifier else "raw")
    raw = np.asarray(explainer.shap_values(flat_rows, check_additivity=False))
    if raw.ndim == 3:
        raw = raw[..., -1]
    base = float(np.ravel(explainer.expected_value)[-1])
    return group_sum(raw, groups), base, predict(rows), PROBABILITY if classifier else None, (
        f"interventional TreeSHAP against {len(background)} background rows")


def _run_linear(model, background, rows, *, groups, **_):
    import shap

    flat_bg, flat_rows = background.reshape(len(background), -1), rows.reshape(len(rows), -1)
    explainer = shap.LinearExplainer(model, flat_bg)
    raw = np.asarray(explainer.shap_values(flat_rows))
    if raw.ndim == 3:
        raw = raw[..., -1]
    base = float(np.ravel(explainer.expected_value)[-1])
    classifier = hasattr(model, "decision_function") and hasattr(model, "predict_proba")
    outputs = np.asarray(model.decision_function(flat_rows) if classifier else model.predict(flat_rows), "float64")
    outputs = outputs.reshape(len(outputs), -1)[:, -1]
    return group_sum(raw, groups), base, outputs, LOG_ODDS if classifier else None, (
        f"linear SHAP (exact for a linear model) against {len(background)} background rows")


def _run_permutation(model, background, rows, *, groups, predict, seed=0, pairs=None,
                     evaluations=DEFAULT_EVALUATIONS, **_):
    pairs = pairs or permutation_pairs(len(rows), len(groups), len(background), evaluations=evaluations)
    values = permutation_values(predict, background, rows, groups, pairs=pairs, seed=seed)
    return values, float(np.mean(predict(background))), predict(rows), None, (
        f"permutation SHAP, {pairs} antithetic permutation pair{'s' if pairs > 1 else ''} against "
        f"{len(background)} background rows, batched predict calls")


EXPLAINERS: dict[str, ExplainerSpec] = {
    s.key: s
    for s in (
        ExplainerSpec("deep", "DeepExplainer", "DeepLIFT with the rescale rule; exact additivity, dense and "
                      "convolutional networks.", _run_deep),
        ExplainerSpec("gradient", "GradientExplainer", "Expected gradients; approximate additivity.", _run_gradient),
        ExplainerSpec("permutation", "PermutationExplainer", "Model-agnostic permutation SHAP with a batch "
                      "predict; exact additivity, used for recurrent networks and anomaly scores.",
                      _run_permutation),
        ExplainerSpec("tree", "TreeExplainer", "TreeSHAP for gradient-boosted trees.", _run_tree),
        ExplainerSpec("linear", "LinearExplainer", "Linear SHAP for logistic and linear regression.", _run_linear),
    )
}


def get_explainer(key: str) -> ExplainerSpec:
    """The explainer registered under `key`; an unknown key lists the available ones."""
    try:
        return EXPLAINERS[key]
    except KeyError:
        raise ConfigError(f"Unknown explainer '{key}'. Available explainers: {', '.join(EXPLAINERS)}.") from None


def is_keras_model(model) -> bool:
    return type(model).__module__.startswith(("keras", "tf_keras", "tensorflow")) or hasattr(model, "layers")


def layer_types(model) -> set[str]:
    """Class names of every layer in a Keras model, nested models and wrappers included."""
    names: set[str] = set()
    stack = list(getattr(model, "layers", []))
    while stack:
        layer = stack.pop()
        names.add(type(layer).__name__)
        stack.extend(getattr(layer, "layers", []))
        for attr in ("layer", "forward_layer", "backward_layer", "cell"):
            inner = getattr(layer, attr, None)
            if inner is not None and inner is not layer and hasattr(inner, "__class__"):
                names.add(type(inner).__name__)
    return names


def explainer_candidates(model) -> tuple[str, ...]:
    """Explainers to try for `model`, best first; later ones are the fallback."""
    if model is None or callable(model) and not is_keras_model(model) and not hasattr(model, "fit"):
        return ("permutation",)
    if not is_keras_model(model):
        name = type(model).__name__
        if "GradientBoosting" in name or "Forest" in name or "Tree" in name:
            return ("tree", "permutation")
        if hasattr(model, "coef_"):
            return ("linear", "permutation")
        return ("permutation",)
    if layer_types(model) & RECURRENT_LAYERS:
        return ("permutation",)
    return ("deep", "permutation", "gradient")


def additivity(found, *, share: float = ADDITIVITY_SHARE) -> tuple[float, float]:
    """(largest |base + sum(values) - prediction|, the tolerance: `share` of the output range) of an
    Attribution or Explanation.

    The range of a probability is 1; of any other output, the spread of the explained predictions.
    """
    error = float(np.max(np.abs(found.base_value + found.values.sum(axis=1) - found.predictions), initial=0.0))
    spread = 1.0 if found.scale == PROBABILITY else float(np.ptp(np.append(found.predictions, found.base_value)))
    return error, share * (spread if spread > 0 else 1.0)


def _short(exc: BaseException) -> str:
    # TensorFlow staging errors put the cause on their last line; keep that line, not the traceback.
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    return f"{type(exc).__name__}: {lines[-1][:200]}" if lines else type(exc).__name__


def attribute(model, background: np.ndarray, rows: np.ndarray, *, groups: Groups, predict: Predict | None = None,
              candidates: tuple[str, ...] | None = None, output: int = 0, seed: int = 0,
              pairs: int | None = None, evaluations: int = DEFAULT_EVALUATIONS,
              scale: str = PROBABILITY, affine: tuple[float, float] = (1.0, 0.0)) -> Attribution:
    """Explain `rows` (model inputs) against `background`, trying the explainers for `model` in turn.

    `predict` maps model inputs to the explained output (default: the model's batch predict), on `scale`
    (TreeExplainer and linear SHAP state their own). `affine` = (factor, shift) maps the explained output to
    the analyst's units (a network trained on standardised targets): values scale by the factor, the base value
    and predictions also shift.

    An explainer that raises, or whose values miss the output by more than `ADDITIVITY_SHARE` of its range
    (unless it is the last candidate), is recorded in `Attribution.failures` and the next one is tried; only
    when every one fails does this raise ExplainerFailed, naming each explainer's error.
    """
    if predict is None:
        predict = keras_predict(model, output=output) if is_keras_model(model) else sklearn_predict(model)
    candidates = candidates or explainer_candidates(model)
    failures: list[str] = []
    for key in candidates:
        spec = get_explainer(key)
        try:
            values, base, predictions, scale_used, method = spec.run(
                model, background, rows, groups=groups, predict=predict, output=output, seed=seed, pairs=pairs,
                evaluations=evaluations)
        except Exception as exc:  # noqa: BLE001 - any explainer error means: try the next explainer
            failures.append(f"{spec.label} failed ({_short(exc)})")
            continue
        factor, shift = affine
        found = Attribution(spec.label, factor * np.asarray(values, dtype="float64"), factor * float(base) + shift,
                            factor * np.asarray(predictions, dtype="float64").ravel() + shift, scale_used or scale,
                            method, tuple(failures))
        error, tolerance = additivity(found)
        if error > tolerance and key != candidates[-1]:
            # e.g. DeepExplainer on swish: no error raised, but its rule for x*sigmoid(x) does not add up
            failures.append(f"{spec.label} did not add up (error {error:.2g} > tolerance {tolerance:.2g})")
            continue
        return found
    raise ExplainerFailed("No explainer could explain this model: " + "; ".join(failures) +
                          ". Retrain with a supported architecture or report this model to the team.")

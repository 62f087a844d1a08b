"""Model bundle: one zip file with everything needed to score new data and explain it, and a loader that
never runs code from the file.

Members (nothing else is accepted):

- `manifest.json`  format name and version, task, kind, config, metrics, class labels, target scaling,
  and the SHA-256 and size of every other member
- `model.keras`    the network, loaded with Keras `safe_mode=True` after its config is checked for Lambda
  layers and for classes outside Keras and this package
- `preprocessor.json` (+ `preprocessor.skops` for table rows) the fitted preprocessing: plain JSON, and the
  scikit-learn transformer in skops format loaded with an explicit allowlist of types (never pickle)
- `background.csv` a sample of training rows in original units, the background for explanations
- `reference.json` (table models) the training distribution for population stability, from *all* training
  rows: bin edges or top levels and their shares per column and for the score (see
  `finmodels.evaluation.monitoring`); bundles saved before it existed load without it

The hashes catch a truncated, corrupted or edited file; safety does not rest on them (anyone can recompute
them), but on the loader only ever reading data: JSON, CSV, skops with an allowlist, and Keras in safe mode.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import weakref
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from finmodels.errors import BundleError

FORMAT = "finmodels-bundle"
FORMAT_VERSION = 1
MAX_BUNDLE_MB = 200
# training rows encoded and scored at a time for the reference distribution's scores: at 1M rows scoring every
# training row in one batch held them encoded (640,000 x 137 float32, 350 MB) plus TensorFlow's copies
REFERENCE_CHUNK = 50_000
# The reference distribution of each result bundled while it lives, by identity: a run kept in the workspace is
# bundled there and then saved or offered again; on the 1M-row book scoring its training rows took 10-20 s each
# time. A trained result's model, rows and split do not change.
_REFERENCES: dict[int, tuple[weakref.ref, object]] = {}
MEMBERS = ("manifest.json", "model.keras", "preprocessor.json", "preprocessor.skops", "background.csv",
           "reference.json")
KERAS_MEMBERS = {"config.json", "metadata.json", "model.weights.h5"}
# Types a fitted preprocessing pipeline may contain beyond skops' own trusted scikit-learn/numpy list.
TRUSTED_TYPES = ("numpy.dtype", "builtins.str", "builtins.float", "builtins.int", "builtins.bool", "builtins.NoneType",
                 # the piecewise-linear encoding (SplineTransformer) keeps scipy B-splines: knots and coefficients
                 # only; skops rebuilds them from arrays through scipy's asarray alias
                 "scipy.interpolate._bsplines.BSpline", "scipy._lib.array_api_compat.numpy._aliases.asarray",
                 # a small table's weight-of-evidence inputs: bins and WoE values as arrays and lists (models.woe)
                 "finmodels.models.woe.WoeEncoder")
# Layers whose config carries Python code; refused before Keras sees the file.
CODE_LAYERS = ("Lambda", "TFOpLambda")


@dataclass
class LoadedBundle:
    """A model read back from a bundle: enough to score new rows and to explain them."""

    manifest: dict
    model: object
    preprocessor: object
    background: pd.DataFrame  # training rows in original units
    metrics: dict = field(default_factory=dict)
    reference: object | None = None  # monitoring.ReferenceDistribution of all training rows; None in older bundles

    @property
    def kind(self) -> str:
        return self.manifest["kind"]

    @property
    def task(self) -> str:
        return self.manifest["task"]

    @property
    def arch(self) -> str:
        return self.manifest["config"]["arch"]

    @property
    def target(self) -> str | None:
        return self.manifest["config"]["target"]

    @property
    def event_label(self) -> str:
        return self.manifest.get("event_label", "")

    @property
    def class_labels(self) -> list[str]:
        return list(self.manifest.get("class_labels", []))

    @property
    def features(self) -> list[str]:
        return self.preprocessor.columns

    @property
    def details(self) -> dict:
        """The run's blend weights and out-of-fold losses ({} for one architecture, or an older bundle)."""
        return dict(self.manifest.get("details") or {})

    @property
    def title(self) -> str:
        """What the model is named by, as the dashboard names the run: its architecture, or its blend."""
        from finmodels.models.training.blend import network_title

        return network_title(self.arch, self.details.get("blend_weights"))

    @property
    def settings(self):
        """The FitDefaults the run was fitted with (members, blend, batches, preprocessing); None in older bundles."""
        from finmodels.models.training.config import FitDefaults

        return FitDefaults.from_dict(self.manifest["settings"]) if self.manifest.get("settings") else None

    def train_config(self):
        """The run's TrainConfig, rebuilt (and validated) from the manifest."""
        from finmodels.models.architectures import get_architecture
        from finmodels.models.training import TrainConfig

        data = dict(self.manifest["config"])
        hyper = data.pop("hyperparameters") or {}
        spec = get_architecture(data["arch"])
        hyper = spec.config_class(**{k: tuple(v) if isinstance(v, list) else v for k, v in hyper.items()})
        if data.get("features") is not None:
            data["features"] = tuple(data["features"])
        return TrainConfig(**data, hyperparameters=hyper)

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        """Scores for new rows, as TrainingResult.predict gives them for this task kind."""
        from finmodels.models.training import predict_frame

        missing = [c for c in self._required_columns() if c not in frame.columns]
        if missing:
            raise BundleError(f"The data lacks {len(missing)} column(s) the model was trained on: "
                              f"{', '.join(map(str, missing[:10]))}. Upload a file with the training columns.")
        return predict_frame(self.kind, self.model, self.preprocessor, frame,
                             target_stats=tuple(self.manifest.get("target_stats", (0.0, 1.0))))

    def _required_columns(self) -> list[str]:
        pre = self.preprocessor
        if hasattr(pre, "series"):
            return [c for c in (pre.series.date, pre.series.price, pre.series.ticker, pre.series.high, pre.series.low)
                    if c]
        return pre.columns


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def _model_bytes(model) -> bytes:
    # In memory: the pinned Keras saves to a file object through saving_lib, so no model touches the disk.
    from keras.src.saving import saving_lib

    buffer = io.BytesIO()
    saving_lib.save_model(model, buffer)
    return buffer.getvalue()


def _background(result) -> pd.DataFrame:
    pre = result.preprocessor
    if hasattr(pre, "series"):  # a price file: the last stretch of the training period, every ticker
        dates = pd.to_datetime(result.frame[pre.series.date], errors="coerce", format="mixed")
        keep = dates <= pd.Timestamp(result.details["train_end"])
        recent = np.sort(dates[keep].unique())[-(pre.window + 60):]
        return result.frame[keep & dates.isin(recent)].reset_index(drop=True)
    from finmodels.explain.background import kept_positions  # the rows a run's own explanations draw from too

    return result.frame.iloc[kept_positions(result)][pre.columns].reset_index(drop=True)

def _code_shares(result) -> dict:
    """Each input the preprocessing one-hot encodes as codes: {code: share of the training rows} (the what-if ranks
    a bundle's code changes by it; its 200-row background would miss rare codes)."""
    blocks = getattr(getattr(result.preprocessor, "transformer", None), "transformers_", ())
    train = result.frame.iloc[result.split.train]
    return {c: {str(k): float(v) for k, v in pd.to_numeric(train[c], errors="coerce").value_counts(normalize=True).items()}
            for name, _, columns in blocks if name == "codes" for c in columns}


def reference_scores(result, rows: pd.DataFrame, *, chunk: int | None = None) -> np.ndarray:
    """The network's scores of `rows` (original units), encoded and scored `chunk` rows at a time: the same
    values as one `result.predict(rows)`, without every training row encoded at once (and TensorFlow's copy)."""
    chunk = chunk or REFERENCE_CHUNK
    if len(rows) <= chunk:
        return np.asarray(result.predict(rows))
    return np.concatenate([np.asarray(result.predict(rows.iloc[start:start + chunk]))
                           for start in range(0, len(rows), chunk)])


def _reference(result):
    """The training distribution of every model column and of the score, from all training rows; computed once
    per result (see `_REFERENCES`)."""
    from finmodels.evaluation.monitoring import monitored_score, reference_distribution

    known = _REFERENCES.get(id(result))
    if known is not None and known[0]() is result:
        return known[1]
    train, pre = result.frame.iloc[result.split.train], result.preprocessor
    found = reference_distribution(train, columns=list(pre.columns), categories=pre.categorical,
                                   scores=monitored_score(reference_scores(result, train)))
    for key in [k for k, (ref, _) in _REFERENCES.items() if ref() is None]:
        del _REFERENCES[key]
    _REFERENCES[id(result)] = (weakref.ref(result), found)
    return found


def _load_reference(files: dict[str, bytes]):
    from finmodels.evaluation.monitoring import ReferenceDistribution

    if "reference.json" not in files:
        return None
    try:
        return ReferenceDistribution.from_dict(json.loads(files["reference.json"]))
    except (UnicodeDecodeError, ValueError, KeyError, TypeError):  # JSONDecodeError is a ValueError
        raise BundleError("The bundle's reference.json (the training distribution for stability) is not valid; "
                          "the file was edited or damaged. Save the bundle again from the training run.") from None


def bundle_bytes(result) -> bytes:
    """The bundle of a TrainingResult as bytes (for a download button)."""
    import skops.io as sio

    from finmodels.explain.counterfactuals import search_ranges

    pre = result.preprocessor
    files: dict[str, bytes] = {"model.keras": _model_bytes(result.model)}
    if hasattr(pre, "series"):
        files["preprocessor.json"] = json.dumps({"type": "sequence", **_jsonable(pre.to_dict())}).encode()
    else:
        files["preprocessor.json"] = json.dumps(_jsonable({
            "type": "table", "numeric": pre.numeric, "categorical": pre.categorical,
            "output_names": pre.output_names, "groups": pre.groups, "knot_sources": pre.knot_sources})).encode()
        files["preprocessor.skops"] = sio.dumps(pre.transformer)
    files["background.csv"] = _background(result).to_csv(index=False).encode()
    if not hasattr(pre, "series"):
        files["reference.json"] = json.dumps(_reference(result).to_dict()).encode()
    config = dataclasses.asdict(result.config)
    config["hyperparameters"] = dataclasses.asdict(result.config.hyper)
    manifest = _jsonable({
        "format": FORMAT, "format_version": FORMAT_VERSION, "task": result.config.task, "kind": result.kind,
        "config": config, "metrics": result.metrics,
        "baselines": {k: b.metrics for k, b in result.baselines.items()},
        "event_label": result.event_label, "class_labels": result.class_labels,
        "target_stats": list(result.target_stats), "code_shares": _code_shares(result),
        "search_ranges": search_ranges(result),  # where the what-if searches counterfactuals
        # how the network was fitted (cross-fitted members, the blend and its weights): a document of the bundle
        # describes the model the dashboard shows, not the chosen architecture alone
        "settings": dataclasses.asdict(result.settings) if getattr(result, "settings", None) is not None else None,
        "details": {k: v for k, v in (getattr(result, "details", None) or {}).items()
                    if k in ("blend_weights", "blend_losses")},
        "files": {name: {"sha256": _sha256(data), "bytes": len(data)} for name, data in files.items()},
    })
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, indent=1))
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def save_bundle(result, path_or_buffer: str | Path | BinaryIO) -> int:
    """Write the bundle of a TrainingResult to a path or a binary file object; returns its size in bytes."""
    data = bundle_bytes(result)
    if isinstance(path_or_buffer, (str, Path)):
        Path(path_or_buffer).write_bytes(data)
    else:
        path_or_buffer.write(data)
    return len(data)


def _read(source) -> bytes:
    if isinstance(source, (bytes, bytearray)):
        return bytes(source)
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise BundleError(f"Model bundle '{path}' does not exist. Check the path.")
        return path.read_bytes()
    return source.read()


def _open_archive(raw: bytes) -> dict[str, bytes]:
    if len(raw) > MAX_BUNDLE_MB * 1024 * 1024:
        raise BundleError(f"The file is {len(raw) / 1024 / 1024:.0f} MB; model bundles are at most {MAX_BUNDLE_MB} MB.")
    if not raw:
        raise BundleError("The file is empty. Choose a model bundle saved by this tool (a .zip file).")
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile:
        hint = " It looks like a Python pickle, which is never loaded." if raw[:1] == b"\x80" else ""
        raise BundleError("This is not a model bundle: the file is not a zip archive (it may be truncated or another "
                          f"kind of file).{hint} Choose a bundle saved by this tool.") from None
    names = archive.namelist()
    unexpected = [n for n in names if n not in MEMBERS]
    if unexpected:
        raise BundleError(f"This is not a model bundle of this tool: it contains unexpected files "
                          f"({', '.join(unexpected[:5])}); nothing from it was loaded.")
    if "manifest.json" not in names:
        raise BundleError("This is not a model bundle of this tool: it has no manifest.json.")
    unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > 2 * MAX_BUNDLE_MB * 1024 * 1024:  # a zip bomb would exhaust memory when read
        raise BundleError(f"The bundle would unpack to {unpacked / 1024 / 1024:.0f} MB, more than a model bundle holds; "
                          "it was not opened.")
    try:
        return {n: archive.read(n) for n in names}
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
        raise BundleError(f"The model bundle is damaged or truncated ({exc}). Save it again from the training run.") \
            from None


def _manifest(files: dict[str, bytes]) -> dict:
    try:
        manifest = json.loads(files["manifest.json"])
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BundleError("The bundle's manifest.json is not valid JSON; the file was edited or damaged.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BundleError(f"This zip file is not a model bundle of this tool (its manifest does not say '{FORMAT}').")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise BundleError(f"The bundle has format version {version}; this version of the tool reads version "
                          f"{FORMAT_VERSION}. Retrain the model, or use the tool version that saved it.")
    listed = manifest.get("files") or {}
    for name in set(files) - {"manifest.json"}:
        if name not in listed:
            raise BundleError(f"'{name}' in the bundle is not listed in its manifest; the file was tampered with.")
    for name, meta in listed.items():
        if name not in files:
            raise BundleError(f"The bundle lacks '{name}', which its manifest lists; the file is truncated or edited.")
        if len(files[name]) != meta.get("bytes") or _sha256(files[name]) != meta.get("sha256"):
            raise BundleError(f"'{name}' in the bundle does not match its recorded SHA-256 hash: the file was changed "
                              "after it was saved, or damaged. Nothing from it was loaded; save the bundle again.")
    return manifest


def _check_keras_config(data: bytes) -> None:
    """Refuse a .keras file whose config holds code (Lambda layers) or classes from outside Keras/finmodels."""
    try:
        inner = zipfile.ZipFile(io.BytesIO(data))
        extra = set(inner.namelist()) - KERAS_MEMBERS
        config = json.loads(inner.read("config.json"))
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError, UnicodeDecodeError):
        raise BundleError("The bundle's model.keras is not a Keras model file.") from None
    if extra:
        raise BundleError(f"The bundle's model file contains unexpected members ({', '.join(sorted(extra)[:5])}).")
    problems = []

    def walk(node):
        if isinstance(node, dict):
            cls, module = node.get("class_name"), node.get("module")
            registered = str(node.get("registered_name") or "")
            if cls == "function" and str(node.get("config", "")).startswith("finmodels>"):
                registered = str(node["config"])  # this package's registered loss, looked up by name
            if cls in CODE_LAYERS:
                problems.append(f"a {cls} layer ('{(node.get('config') or {}).get('name', '?')}') carries Python code")
            elif module is not None and not (str(module).startswith("keras") or registered.startswith("finmodels>")):
                problems.append(f"class '{cls}' comes from module '{module}', outside Keras and this tool")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(config)
    if problems:
        raise BundleError("The bundle's model was refused because loading it could run code: "
                          + "; ".join(problems[:3]) + ". Only models trained by this tool can be loaded.")


def _load_model(data: bytes):
    from keras.src.saving import saving_lib

    import finmodels.models.architectures as architectures
    import finmodels.models.training as training

    architectures.vae_sampling_layer()  # register this package's own classes by name
    training.gaussian_nll()
    _check_keras_config(data)
    try:
        return saving_lib.load_model(io.BytesIO(data), safe_mode=True, compile=False)
    except Exception as exc:  # Keras raises many types for a bad file; none of it may reach the user as a traceback
        raise BundleError(f"The bundle's model could not be loaded safely ({type(exc).__name__}: "
                          f"{str(exc).splitlines()[0][:200]}).") from None


def _load_preprocessor(files: dict[str, bytes]):
    try:
        spec = json.loads(files["preprocessor.json"])
    except (KeyError, json.JSONDecodeError, UnicodeDecodeError):
        raise BundleError("The bundle's preprocessor.json is missing or not valid JSON.") from None
    if spec.get("type") == "sequence":
        from finmodels.data.sequences import SequencePreprocessor

        return SequencePreprocessor.from_dict(spec)
    if spec.get("type") != "table" or "preprocessor.skops" not in files:
        raise BundleError("The bundle's preprocessing is of an unknown type; it was not saved by this tool.")
    import skops.io as sio

    from finmodels.models.preprocessing import Preprocessor

    data = files["preprocessor.skops"]
    try:
        untrusted = [t for t in sio.get_untrusted_types(data=data) if t not in TRUSTED_TYPES]
    except Exception as exc:  # skops raises several types for a malformed file
        raise BundleError(f"The bundle's preprocessing file is not a valid skops file ({type(exc).__name__}).") from None
    if untrusted:
        raise BundleError("The bundle's preprocessing was refused: it contains types that are not on the allowlist "
                          f"({', '.join(untrusted[:5])}), and loading them could run code.")
    transformer = sio.loads(data, trusted=list(TRUSTED_TYPES))
    groups = {str(k): [int(i) for i in v] for k, v in spec["groups"].items()}
    sources = {str(k): str(v) for k, v in (spec.get("knot_sources") or {}).items()}
    return Preprocessor(transformer, list(spec["numeric"]), list(spec["categorical"]), list(spec["output_names"]),
                        groups, sources)


def load_bundle(source: bytes | str | Path | BinaryIO, *, model: bool = True) -> LoadedBundle:
    """Read a bundle saved by `save_bundle` (bytes, path or file object) without running code from it.

    `model=False` reads everything but the network (its manifest, preprocessing, background rows and reference
    distribution) without importing Keras: what the web process shows about a bundle, while a worker scores it.
    Raises BundleError naming the problem for a file that is not a bundle, truncated, edited after saving, from
    an unsupported format version, or containing anything that could run code.
    """
    files = _open_archive(_read(source))
    manifest = _manifest(files)
    for name in ("model.keras", "preprocessor.json", "background.csv"):
        if name not in files:
            raise BundleError(f"The bundle lacks '{name}'; it is incomplete. Save it again from the training run.")
    preprocessor = _load_preprocessor(files)
    network = _load_model(files["model.keras"]) if model else None
    categorical = getattr(preprocessor, "categorical", [])
    background = pd.read_csv(io.BytesIO(files["background.csv"]), dtype={c: str for c in categorical})
    return LoadedBundle(manifest, network, preprocessor, background, dict(manifest.get("metrics") or {}),
                        _load_reference(files))

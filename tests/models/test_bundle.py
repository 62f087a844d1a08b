"""Model bundles: a round trip that predicts the same, and hostile or broken files refused with nothing run."""

import hashlib
import io
import json
import os
import pickle
import zipfile

import numpy as np
import pytest

from finmodels.models.bundle import bundle_bytes, load_bundle, save_bundle
from finmodels.errors import BundleError


@pytest.fixture(scope="module")
def bundle(german_net):
    return bundle_bytes(german_net)


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def pack(files: dict[str, bytes], *, rehash: bool = True) -> bytes:
    """Re-zip members the way an attacker would: with the manifest's hashes recomputed to match."""
    manifest = json.loads(files["manifest.json"])
    if rehash:
        manifest["files"] = {n: {"sha256": hashlib.sha256(d).hexdigest(), "bytes": len(d)}
                             for n, d in files.items() if n != "manifest.json"}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", json.dumps(manifest))
        for n, d in files.items():
            if n != "manifest.json":
                z.writestr(n, d)
    return out.getvalue()


class Payload:
    """Runs code when unpickled or rebuilt: creates the marker file."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))

    def __setstate__(self, state):
        open(state["marker"], "w").close()


def test_round_trip_predicts_the_same_and_keeps_what_scoring_and_explaining_need(german_net, german, bundle, tmp_path):
    loaded = load_bundle(bundle)
    rows = german.head(50)
    assert np.allclose(loaded.predict(rows), german_net.predict(rows), atol=1e-6)
    assert (loaded.kind, loaded.task, loaded.arch, loaded.target) == ("binary", "credit_default", "mlp", "creditability")
    assert loaded.event_label == "bad" and loaded.metrics["roc_auc"] == pytest.approx(german_net.metrics["roc_auc"])
    assert loaded.preprocessor.groups == german_net.preprocessor.groups
    assert loaded.manifest["baselines"]["logistic_regression"]["roc_auc"] > 0.7
    assert loaded.train_config() == german_net.config
    # background: 200 training rows in original units
    train_rows = {tuple(map(str, r)) for r in german.iloc[german_net.split.train][loaded.features].itertuples(index=False)}
    assert len(loaded.background) == 200
    assert all(tuple(map(str, r)) in train_rows for r in loaded.background.itertuples(index=False))
    path = tmp_path / "model.zip"
    assert save_bundle(german_net, path) == path.stat().st_size
    assert np.allclose(load_bundle(path).predict(rows), german_net.predict(rows), atol=1e-6)


def test_scoring_data_without_the_training_columns_names_them(bundle, german):
    with pytest.raises(BundleError, match="lacks 1 column.*: credit_amount"):
        load_bundle(bundle).predict(german.drop(columns=["credit_amount"]))


@pytest.mark.parametrize("make,message", [
    (lambda b: b"", "The file is empty"),
    (lambda b: b"Date,Close\n2020-01-01,1\n", "not a zip archive"),
    (lambda b: b[: len(b) // 2], "not a zip archive|damaged or truncated"),
    (lambda b: b[:-200], "not a zip archive|damaged or truncated"),
])
def test_foreign_and_truncated_files_are_refused(bundle, make, message):
    with pytest.raises(BundleError, match=message):
        load_bundle(make(bundle))


def test_a_plain_zip_and_another_format_version_are_refused(bundle):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("manifest.json", json.dumps({"format": "something-else"}))
    with pytest.raises(BundleError, match="not a model bundle of this tool"):
        load_bundle(out.getvalue())
    files = members(bundle)
    manifest = json.loads(files["manifest.json"])
    files["manifest.json"] = json.dumps({**manifest, "format_version": 99}).encode()
    with pytest.raises(BundleError, match="format version 99; this version of the tool reads version 1"):
        load_bundle(pack(files, rehash=False))


def test_an_edited_member_fails_its_hash(bundle):
    files = members(bundle)
    weights = bytearray(files["model.keras"])
    weights[len(weights) // 2] ^= 0xFF
    files["model.keras"] = bytes(weights)
    with pytest.raises(BundleError, match="'model.keras' in the bundle does not match its recorded SHA-256"):
        load_bundle(pack(files, rehash=False))


def test_a_pickle_payload_is_never_unpickled(bundle, tmp_path):
    marker = tmp_path / "pwned"
    payload = pickle.dumps(Payload(marker))
    with pytest.raises(BundleError, match="not a zip archive.*pickle, which is never loaded"):
        load_bundle(payload)
    files = members(bundle)
    files["preprocessor.pkl"] = payload
    with pytest.raises(BundleError, match=r"unexpected files \(preprocessor.pkl\)"):
        load_bundle(pack(files))
    assert not marker.exists()
    pickle.loads(payload)  # the payload is live: unpickling it would have run the command
    assert marker.exists()


@pytest.mark.parametrize("make_object", [
    lambda marker: {"steps": [Payload(marker)]},
    lambda marker: {"run": os.system, "arg": f"touch {marker}"},
])
def test_a_skops_file_with_types_off_the_allowlist_is_refused_before_loading(bundle, tmp_path, make_object):
    import skops.io as sio

    marker = tmp_path / "pwned"
    files = members(bundle)
    files["preprocessor.skops"] = sio.dumps(make_object(marker))
    with pytest.raises(BundleError, match="not on the allowlist"):
        load_bundle(pack(files))
    assert not marker.exists()


def test_a_keras_lambda_layer_is_refused_and_never_runs(bundle, tmp_path):
    import keras
    from keras.src.saving import saving_lib

    marker = tmp_path / "pwned"
    path = str(marker)
    hostile = keras.Sequential([keras.Input((61,)), keras.layers.Lambda(lambda x: (open(path, "w"), x)[1]),
                                keras.layers.Dense(1, activation="sigmoid")])
    marker.unlink()  # building the model above ran the lambda once; only loading may not
    buffer = io.BytesIO()
    saving_lib.save_model(hostile, buffer)
    files = members(bundle)
    files["model.keras"] = buffer.getvalue()
    with pytest.raises(BundleError, match="a Lambda layer .* carries Python code"):
        load_bundle(pack(files))
    assert not marker.exists()
    with pytest.raises(ValueError, match="safe_mode"):  # and Keras' own safe mode refuses it as a second line
        saving_lib.load_model(io.BytesIO(buffer.getvalue()), safe_mode=True)
    assert not marker.exists()
    saving_lib.load_model(io.BytesIO(buffer.getvalue()), safe_mode=False)  # the payload is live: unsafe loading runs it
    assert marker.exists()


def test_a_class_from_outside_keras_is_refused(bundle):
    files = members(bundle)
    with zipfile.ZipFile(io.BytesIO(files["model.keras"])) as z:
        inner = {n: z.read(n) for n in z.namelist()}
    config = json.loads(inner["config.json"])
    config["config"]["layers"][1]["module"] = "os"
    inner["config.json"] = json.dumps(config).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for n, d in inner.items():
            z.writestr(n, d)
    files["model.keras"] = out.getvalue()
    with pytest.raises(BundleError, match="from module 'os', outside Keras and this tool"):
        load_bundle(pack(files))


@pytest.mark.parametrize("task,arch,make_frame", [
    ("market_risk", "gru", lambda: __import__("finmodels.data.samples", fromlist=["x"]).load_sample("sp500_index")),
])
def test_sequence_bundles_round_trip(task, arch, make_frame):
    from finmodels.models.architectures import GRUConfig
    from finmodels.models.training import TrainConfig, train

    frame = make_frame()
    result = train(frame, TrainConfig(target=None, task=task, arch=arch, epochs=1, window=5,
                                      hyperparameters=GRUConfig(units=(2,), dense_units=2)), baselines=False)
    loaded = load_bundle(bundle_bytes(result))
    tail = frame.tail(40)
    assert np.allclose(loaded.predict(tail), result.predict(tail), atol=1e-6)
    assert loaded.preprocessor.columns == ["return", "abs_return", "log_range"]
    assert len(loaded.background) == 5 + 60


def test_vae_and_rating_bundles_round_trip_with_their_registered_layers_and_labels():
    import pandas as pd

    from finmodels.models.architectures import MLPConfig, VAEConfig
    from finmodels.data.samples import load_sample
    from finmodels.models.training import TrainConfig, train
    from tests.conftest import SHARED_DATASETS

    taiwan = load_sample("taiwan_default").head(600)
    vae = train(taiwan, TrainConfig(target="default_payment_next_month", task="anomaly", arch="vae", epochs=1,
                                    hyperparameters=VAEConfig(units=(4,), latent_dim=2)), baselines=False)
    loaded = load_bundle(bundle_bytes(vae))
    assert loaded.model.get_layer("sampling").__class__.__name__ == "VAESampling"
    assert np.allclose(loaded.predict(taiwan.head(30)), vae.predict(taiwan.head(30)), rtol=1e-5)

    ratings = pd.read_csv(SHARED_DATASETS / "corporate_rating.csv")
    run = train(ratings, TrainConfig(members=1, blend=(),
                                     target="Rating", task="credit_rating", features=("currentRatio", "debtRatio"),
                                     epochs=1, hyperparameters=MLPConfig(units=(4,))), baselines=False)
    loaded = load_bundle(bundle_bytes(run))
    assert loaded.class_labels == run.class_labels and loaded.kind == "ordinal"
    assert np.allclose(loaded.predict(ratings.head(10)), run.predict(ratings.head(10)), atol=1e-6)


def test_a_zip_bomb_is_not_unpacked(bundle):
    files = members(bundle)
    files["background.csv"] = b"0" * (401 * 1024 * 1024)  # compresses to about 400 KB
    with pytest.raises(BundleError, match="would unpack to 4\\d\\d MB"):
        load_bundle(pack(files, rehash=False))

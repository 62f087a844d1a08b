"""The bundle's reference distribution scores the training rows in chunks: exactly the values of one batch."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np

from finmodels.models import bundle


def test_chunked_reference_scores_equal_one_batch_on_german_credit(german_net):
    train = german_net.frame.iloc[german_net.split.train]
    assert len(train) == 640
    whole = np.asarray(german_net.predict(train))
    chunked = bundle.reference_scores(german_net, train, chunk=97)  # 6 full chunks and a short one
    assert chunked.shape == whole.shape == (640,)
    np.testing.assert_array_equal(chunked, whole)
    np.testing.assert_array_equal(bundle.reference_scores(german_net, train), whole)  # one chunk: 640 < 50,000


def test_bundle_reference_quantiles_come_from_every_training_row(german_net, monkeypatch):
    from finmodels.evaluation.monitoring import monitored_score

    calls = []
    predict = type(german_net).predict
    monkeypatch.setattr(bundle, "REFERENCE_CHUNK", 128)
    monkeypatch.setattr(bundle, "_REFERENCES", {})  # not the reference of an earlier bundle of this run
    monkeypatch.setattr(type(german_net), "predict", lambda self, rows: calls.append(len(rows)) or predict(self, rows))
    with zipfile.ZipFile(io.BytesIO(bundle.bundle_bytes(german_net))) as archive:
        reference = json.loads(archive.read("reference.json"))
    assert calls == [128] * 5  # the 640 training rows in five chunks
    scores = monitored_score(predict(german_net, german_net.frame.iloc[german_net.split.train]))
    assert reference["rows"] == 640
    np.testing.assert_array_equal(reference["score_quantiles"], np.quantile(scores, np.linspace(0, 1, 101)))


def test_a_result_bundled_twice_scores_its_training_rows_once(german_net, monkeypatch):
    calls = []
    predict = type(german_net).predict
    monkeypatch.setattr(bundle, "_REFERENCES", {})
    monkeypatch.setattr(type(german_net), "predict", lambda self, rows: calls.append(len(rows)) or predict(self, rows))
    first, second = bundle.bundle_bytes(german_net), bundle.bundle_bytes(german_net)
    assert calls == [640]
    with zipfile.ZipFile(io.BytesIO(first)) as a, zipfile.ZipFile(io.BytesIO(second)) as b:
        assert a.read("reference.json") == b.read("reference.json")

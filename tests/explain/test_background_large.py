"""A k-means background of a large training split is clustered from a random part of it (KMEANS_ROWS)."""

import numpy as np

from finmodels.explain import background
from finmodels.explain.background import background_positions, kmeans_positions, uniform_positions


def test_kmeans_background_of_many_rows_is_clustered_from_a_random_part(german_net, monkeypatch):
    x = german_net.preprocessor.transform(german_net.frame.iloc[german_net.split.train])
    monkeypatch.setattr(background, "KMEANS_ROWS", 200)
    found = background_positions(x, None, 15, method="kmeans", seed=3)
    pool = uniform_positions(640, 200, seed=3)
    assert len(found.positions) == 15 and len(set(found.positions)) == 15
    assert set(found.positions) <= set(pool)  # real training rows, among those clustered
    assert found.note == "15 training rows nearest to k-means centres (clustered from 200 of the 640, drawn at random)."


def test_kmeans_background_of_few_rows_clusters_them_all(german_net):
    x = german_net.preprocessor.transform(german_net.frame.iloc[german_net.split.train])
    assert len(x) < background.KMEANS_ROWS
    found = background_positions(x, None, 15, method="kmeans", seed=3)
    assert found.note == "15 training rows nearest to k-means centres."
    np.testing.assert_array_equal(found.positions, kmeans_positions(x, 15, seed=3))
    assert kmeans_positions(x[:10], 15).tolist() == list(range(10))

"""Cross-fitted networks: the parts they learn from and stop on, out-of-fold predictions from the network that never
learned a row, the averaged model, and the history of every network."""

import numpy as np
import pytest

from finmodels.data.tasks import BINARY, MULTICLASS, REGRESSION
from finmodels.models import fastfit
from finmodels.models.architectures import MLPConfig, get_architecture
from finmodels.models.training.members import (average, epochs_per_network, fit_members, member_history,
                                               member_notes, member_parts, predict)

NUMBERS = ["duration_in_month", "credit_amount", "age_in_years", "installment_rate_in_percentage_of_disposable_income",
           "present_residence_since", "number_of_existing_credits_at_this_bank"]


@pytest.fixture(scope="module")
def rows(german):
    """German credit's numeric columns, standardised, and whether each loan went bad."""
    x = german[NUMBERS].to_numpy("float32")
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    return x, (german["creditability"] == "bad").to_numpy("float32")


def _network(seed, units=(6,)):
    import keras

    keras.utils.set_random_seed(seed)
    return get_architecture("mlp").build(MLPConfig(units=units), input_shape=(len(NUMBERS),), n_outputs=1,
                                         output_activation="sigmoid")


@pytest.mark.parametrize("members", [3, 5])
def test_parts_are_disjoint_cover_every_row_and_keep_each_class_share(rows, members):
    _, y = rows
    parts = member_parts(y, members, kind=BINARY, seed=0)
    assert len(parts) == members
    stops = [stop for _, stop in parts]
    assert np.array_equal(np.sort(np.concatenate(stops)), np.arange(len(y)))  # each row stops exactly one network
    for learn, stop in parts:
        assert np.array_equal(np.sort(np.concatenate([learn, stop])), np.arange(len(y)))
        assert not np.intersect1d(learn, stop).size and abs(len(stop) - len(y) / members) <= 1
        assert np.array_equal(stop, np.sort(stop))
        for c in (0, 1):
            share = np.mean(y == c)
            assert abs(np.sum(y[stop] == c) - len(stop) * share) <= 1
    # seeded: the same seed cuts the same parts, another seed others
    again = member_parts(y, members, kind=BINARY, seed=0)
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(parts, again))
    assert not np.array_equal(parts[0][1], member_parts(y, members, kind=BINARY, seed=1)[0][1])


def test_numbers_and_classes_too_rare_to_stratify_are_cut_by_plain_kfold(german):
    from sklearn.model_selection import KFold

    amounts = german["credit_amount"].to_numpy("float64")
    expected = [np.sort(b) for _, b in KFold(5, shuffle=True, random_state=7).split(amounts)]
    found = member_parts(amounts, 5, kind=REGRESSION, seed=7)
    assert all(np.array_equal(stop, e) for (_, stop), e in zip(found, expected))
    # ten networks but only 9 loans for one purpose: no stratified cut is possible, so a shuffled one is used
    purpose = german["purpose"].astype("category").cat.codes.to_numpy()
    assert np.bincount(purpose).min() == 9
    ten = [np.sort(b) for _, b in KFold(10, shuffle=True, random_state=7).split(purpose)]
    assert all(np.array_equal(stop, e) for (_, stop), e in zip(member_parts(purpose, 10, kind=MULTICLASS, seed=7),
                                                               ten))
    # five networks: every purpose is stratified
    for _, stop in member_parts(purpose, 5, kind=MULTICLASS, seed=7):
        for c in range(10):
            assert abs(np.sum(purpose[stop] == c) - len(stop) * np.mean(purpose == c)) <= 1


def test_out_of_fold_predictions_come_from_the_one_network_that_stopped_on_each_row(rows):
    x, y = rows
    built, fitted, notes = [], [], []

    def build(k):
        built.append(_network(10 + k))
        return built[-1]

    def fit(model, train_pair, valid_pair, k):
        fitted.append((k, len(train_pair[0]), valid_pair[0]))
        return fastfit.fit(model, "binary_crossentropy", train_data=train_pair, valid_data=valid_pair,
                           batch_size=64, learning_rate=0.01, schedule="constant", epochs=3, patience=3, seed=k)

    found = fit_members(build, fit, x, y, members=4, kind=BINARY, seed=0, note=notes.append)
    parts = member_parts(y, 4, kind=BINARY, seed=0)
    assert notes == [f"Fitting the network {k + 1} of 4 (cross-fitted) on 750 rows, stopping early on 250..."
                     for k in range(4)]
    assert [k for k, _, _ in fitted] == [0, 1, 2, 3] and all(n == 750 for _, n, _ in fitted)
    assert not found.stopped and len(found.histories) == 4 and found.seconds > 0
    assert found.out_of_fold.shape == (1000, 1)
    for (_, stop), (_, _, valid), model in zip(parts, fitted, built):
        assert np.array_equal(valid, x[stop])  # each network stopped early on its own part
        np.testing.assert_allclose(found.out_of_fold[stop], np.asarray(model(x[stop], training=False)), atol=1e-6)
    # the average of the four is another prediction than the out-of-fold one
    assert np.max(np.abs(predict(found.model, x) - found.out_of_fold)) > 1e-3
    np.testing.assert_allclose(predict(found.model, x),
                               np.mean([np.asarray(m(x, training=False)) for m in built], axis=0), atol=1e-6)


def test_a_stop_keeps_the_networks_finished_before_it(rows):
    x, y = rows
    built = []

    def build(k):
        built.append(_network(20 + k))
        return built[-1]

    def fit(model, train_pair, valid_pair, k):
        return fastfit.fit(model, "binary_crossentropy", train_data=train_pair, valid_data=valid_pair,
                           batch_size=64, learning_rate=0.01, schedule="constant", epochs=2, patience=2, seed=k)

    # the stop comes while the second network trains: it is left out, the first one is the model
    found = fit_members(build, fit, x, y, members=3, kind=BINARY, seed=0, note=lambda text: None,
                        should_stop=lambda: len(built) >= 2)
    assert found.stopped and len(built) == 2 and len(found.histories) == 1
    parts = member_parts(y, 3, kind=BINARY, seed=0)
    kept = np.asarray(found.model(x, training=False))
    np.testing.assert_allclose(kept, np.asarray(built[0](x)), atol=1e-6)
    stop = parts[0][1]
    np.testing.assert_allclose(found.out_of_fold[stop], np.asarray(built[0](x[stop])), atol=1e-6)
    # no kept network stopped on the other parts: those rows keep the model's prediction
    rest = np.concatenate([parts[1][1], parts[2][1]])
    np.testing.assert_allclose(found.out_of_fold[rest], kept[rest], atol=1e-6)


def test_a_stop_in_the_first_network_keeps_it(rows):
    x, y = rows
    found = fit_members(lambda k: _network(40 + k), lambda m, t, v, k: fastfit.fit(
        m, "binary_crossentropy", train_data=t, valid_data=v, batch_size=64, learning_rate=0.01, schedule="constant",
        epochs=5, patience=5, seed=k, should_stop=lambda: True), x, y, members=3, kind=BINARY, seed=0,
        note=lambda text: None,
        should_stop=lambda: True)
    assert found.stopped and len(found.histories) == 1 and len(found.histories[0]["loss"]) == 1


def test_the_average_is_one_keras_model_whose_output_is_the_members_mean(rows):
    x, _ = rows
    members = [_network(30 + k, units=(4 + k,)) for k in range(3)]
    averaged = average(members)
    assert averaged.name == "mlp_x3" and [layer.name for layer in averaged.layers[1:]] == [
        "network_1", "network_2", "network_3", "average"]
    expected = np.mean([np.asarray(m(x[:200], training=False)) for m in members], axis=0)
    np.testing.assert_allclose(np.asarray(averaged(x[:200], training=False)), expected, atol=1e-6)
    np.testing.assert_allclose(predict(averaged, x[:200], chunk=64), expected, atol=1e-6)  # chunks join in order
    assert average(members[:1]) is members[0]


def test_member_history_and_epochs_per_network_round_trip():
    histories = [{"loss": [0.7, 0.6, 0.5], "val_loss": [0.71, 0.65, 0.66]},
                 {"loss": [0.8, 0.7], "val_loss": [0.8, 0.75]},
                 {"loss": [0.9] * 5, "val_loss": [0.9] * 5}]
    history = member_history(histories)
    assert history == {"loss": [0.7, 0.6, 0.5], "val_loss": [0.71, 0.65, 0.66],
                       "network_2_loss": [0.8, 0.7], "network_2_val_loss": [0.8, 0.75],
                       "network_3_loss": [0.9] * 5, "network_3_val_loss": [0.9] * 5}
    assert epochs_per_network(history) == [3, 2, 5]
    assert epochs_per_network(histories[0]) == [3]
    # ten networks come back in their order, network 10 after network 9
    ten = member_history([{"loss": [0.1] * (k + 1), "val_loss": [0.1] * (k + 1)} for k in range(10)])
    assert epochs_per_network(ten) == list(range(1, 11))


def test_the_notes_say_how_the_networks_shared_the_rows():
    from finmodels.data.splits import Split

    split = Split(np.arange(640), np.arange(640, 800), np.arange(800, 1000), "random")
    assert member_notes(1, split) == []
    (note,) = member_notes(5, split)
    assert note.startswith("Each architecture's network is the average of 5 networks cross-fitted on the 800 "
                           "training and validation rows: each learned from 4 of 5 parts")


def test_a_split_by_entity_deals_whole_companies_to_each_network():
    """corporate_rating rates 478 of its 593 companies several times: a network that stops early on a company it
    learned from stops late, and its out-of-fold predictions (which weigh the blend) flatter it."""
    from finmodels.data.reading import load_csv
    from finmodels.data.splits import split_for_run
    from finmodels.data.tasks import ORDINAL
    from tests.conftest import SHARED_DATASETS

    rating = load_csv(SHARED_DATASETS / "corporate_rating.csv")
    notches = rating["Rating"].isin(["AAA", "AA", "A"]).to_numpy().astype(int)
    split = split_for_run(rating, notches, target="Rating", method="entity")
    names = rating["Name"].to_numpy()
    assert split.groups is not None and np.array_equal(split.groups, names.astype(str))
    pool = np.sort(np.concatenate([split.train, split.valid]))
    parts = member_parts(notches[pool], 5, kind=ORDINAL, seed=0, groups=split.groups[pool])
    assert np.array_equal(np.sort(np.concatenate([stop for _, stop in parts])), np.arange(len(pool)))
    for learn, stop in parts:
        assert not set(names[pool][learn]) & set(names[pool][stop])
    plain = member_parts(notches[pool], 5, kind=ORDINAL, seed=0)  # by rows: companies on both sides
    assert sum(len(set(names[pool][learn]) & set(names[pool][stop])) for learn, stop in plain) > 300
    (note,) = member_notes(5, split)
    assert "each learned from 4 of 5 parts (each part holds whole entities, as the split does)" in note
    numbers = member_parts(rating["currentRatio"].to_numpy()[pool], 5, kind=REGRESSION, seed=0,
                           groups=split.groups[pool])
    assert all(not set(names[pool][a]) & set(names[pool][b]) for a, b in numbers)

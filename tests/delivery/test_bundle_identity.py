"""A downloaded bundle says which run it is and how it decides (a new user's trial: the champion blend downloaded as
'credit_default_mlp.zip', loaded as 'Dense network (MLP)', and decided at 0.50 in another area instead of the
champion's 0.14, flagging 6 of 30 rows there against 17 here)."""

import pytest

from finmodels.delivery.bundle_identity import bundle_decision, bundle_file_name, bundle_name, bundle_run, stamped
from finmodels.errors import BundleError
from finmodels.models.bundle import bundle_bytes, load_bundle


@pytest.fixture(scope="module")
def raw(german_net):
    return bundle_bytes(german_net)


def test_a_stamped_bundle_names_its_run_and_keeps_its_threshold_and_costs(raw):
    out = stamped(raw, run_id="d09afcf5aa11", name="Blend of dense 0.62 + deep & cross 0.38", area="desk-a",
                  champion=True, threshold=0.14, costs={"missed_default": 5.0, "declined_good": 1.0},
                  threshold_source="the least-cost threshold at the default costs")
    loaded = load_bundle(out, model=False)  # every hash still checks: the manifest alone changed
    run = bundle_run(loaded)
    assert run["run_id"] == "d09afcf5aa11" and run["area"] == "desk-a" and run["champion"] is True
    assert bundle_name(loaded) == "Blend of dense 0.62 + deep & cross 0.38"
    assert bundle_decision(loaded) == {"threshold": 0.14, "costs": {"missed_default": 5.0, "declined_good": 1.0},
                                       "source": "the least-cost threshold at the default costs"}
    plain = load_bundle(raw, model=False)  # a bundle saved by the command line: its own title, no decision
    assert bundle_run(plain) == {} and bundle_decision(plain) is None and bundle_name(plain) == plain.title


def test_a_damaged_bundle_is_not_stamped_and_a_threshold_is_a_probability(raw):
    with pytest.raises(BundleError, match="not a zip archive"):
        stamped(raw[:100], run_id="x", name="y")
    with pytest.raises(BundleError, match="between 0 and 1; got 14"):
        stamped(raw, run_id="x", name="y", threshold=14)


def test_the_file_name_says_blend_and_the_run():
    assert bundle_file_name("credit_default", "d09afcf5aa11", "Blend of dense 0.62 + deep & cross 0.38") == \
        "credit_default_blend_d09afcf5.zip"
    assert bundle_file_name("credit_default", None, "mlp") == "credit_default_mlp.zip"

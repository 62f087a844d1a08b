"""What the command tests share: German credit's small trained run saved as a bundle, and the sample's path."""

import pytest

from tests.conftest import ROOT

GERMAN_CSV = ROOT / "assets" / "samples" / "german_credit.csv"


@pytest.fixture(scope="session")
def german_bundle(german_net, tmp_path_factory):
    from finmodels.models.bundle import save_bundle

    path = tmp_path_factory.mktemp("bundles") / "german.zip"
    save_bundle(german_net, path)
    return path

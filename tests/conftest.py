"""Shared fixtures: the real German credit sample, and small trained runs shared by many tests."""

import os
import sys
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# Runs trained by the page tests are kept in a workspace of their own, never in the checkout's workspace/.
os.environ.setdefault("FINMODELS_WORKSPACE", tempfile.mkdtemp(prefix="finmodels-test-workspace-"))
ROOT = Path(__file__).resolve().parent.parent
SHARED_DATASETS = ROOT.parent / "shared" / "datasets"
sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="session")
def german():
    from finmodels.data.samples import load_sample

    return load_sample("german_credit")


def german_config(**ensemble):
    from finmodels.models.architectures import MLPConfig
    from finmodels.models.training import TrainConfig

    return TrainConfig(target="creditability", hyperparameters=MLPConfig(units=(16,)), epochs=15, seed=0, **ensemble)


@pytest.fixture(scope="session")
def german_run(german):
    """German credit's default run (five dense and five cross networks, cross-fitted and blended), trained once
    and shared by the tests that read what the ensemble leaves: its networks, their epochs, the blend."""
    from finmodels.models.training import train

    return train(german, german_config())


@pytest.fixture(scope="session")
def german_net(german):
    """One small network trained once on German credit (members=1, no blend): the run the tests of what follows
    training read (explanations, scoring, bundles, documents), where ten networks would only cost time."""
    from finmodels.models.training import train

    return train(german, german_config(members=1, blend=()))


@pytest.fixture(scope="session")
def agency_rating_run():
    """A small rating network on corporate_rating.csv that reads who rated each company ('Rating Agency Name')
    beside a ratio and the sector: the run whose top driver describes the record, not the borrower, as the command
    line's explain and the HTML report flag it."""
    from finmodels.data.reading import load_csv
    from finmodels.models.architectures import MLPConfig
    from finmodels.models.training import TrainConfig, train

    return train(load_csv(SHARED_DATASETS / "corporate_rating.csv"),
                 TrainConfig(members=1, blend=(), target="Rating", task="credit_rating", epochs=5,
                             hyperparameters=MLPConfig(units=(16,)),
                             features=("currentRatio", "Rating Agency Name", "Sector")), baselines=False)


TAIWAN_TARGET = "default_payment_next_month"


@pytest.fixture(scope="session")
def taiwan_5k():
    """taiwan_default.csv's first 5,000 rows, the file of the fifth new-user trial (read-only: tests share it)."""
    from finmodels.data.reading import load_csv

    return load_csv(SHARED_DATASETS / "taiwan_default.csv").head(5000)


@pytest.fixture(scope="session")
def taiwan_coded_run(taiwan_5k):
    """One small network on `taiwan_5k` with EDUCATION (codes 0 to 6) set to 'categorical', as the trial set it on
    the Data page: the run of the tests of what a column's categorical role reaches (scoring, the document, charts)."""
    from finmodels.models.architectures import MLPConfig
    from finmodels.models.training import TrainConfig, train

    return train(taiwan_5k, TrainConfig(target=TAIWAN_TARGET, members=1, blend=(), epochs=2, seed=0,
                                        hyperparameters=MLPConfig(units=(8,)), categories=("EDUCATION",)))

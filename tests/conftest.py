"""Shared fixtures: the real German credit sample, and one small trained run shared by many tests."""

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


@pytest.fixture(scope="session")
def german_run(german):
    """A small network trained once on German credit and shared by the tests that only read it."""
    from finmodels.models.architectures import MLPConfig
    from finmodels.models.training import TrainConfig, train

    config = TrainConfig(target="creditability", hyperparameters=MLPConfig(units=(16,)), epochs=15, seed=0)
    return train(german, config)

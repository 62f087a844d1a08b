"""What the explanation tests share: credit_risk_dataset (32,581 loan applications with its outliers: an age of 144,
123 years of employment) and one small network trained on it, saved as a bundle too."""

import pytest

CREDIT_RISK_CSV = "/work/shared/datasets/credit_risk_dataset.csv"


@pytest.fixture(scope="session")
def credit_risk():
    from finmodels.data.reading import load_csv

    return load_csv(CREDIT_RISK_CSV)


@pytest.fixture(scope="session")
def credit_risk_net(credit_risk):
    from finmodels.models.training import TrainConfig, train

    return train(credit_risk, TrainConfig(target="loan_status", task="credit_default", members=1, blend=(), epochs=3,
                                          seed=0))


@pytest.fixture(scope="session")
def credit_risk_bundle(credit_risk_net, tmp_path_factory):
    from finmodels.models.bundle import save_bundle

    path = tmp_path_factory.mktemp("credit_risk") / "credit_risk.zip"
    save_bundle(credit_risk_net, path)
    return path

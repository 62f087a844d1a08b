"""`python -m finmodels score BUNDLE PRICES.csv` with a market risk bundle: the Score page's next-day forecast per
asset and for the portfolio, from the same function the page calls (`runtime.worker.forecast_bundle`)."""

import json
import math

import pandas as pd
import pytest

from finmodels.__main__ import main
from tests.conftest import ROOT

PRICES = ROOT / "assets" / "samples" / "sp500_10stocks_2013_2018.csv"
TICKERS = ["AAPL", "AMZN", "BAC", "C", "GOOGL", "GS", "JNJ", "JPM", "MSFT", "XOM"]
HOLDINGS = {"AAPL": 0.4, "JPM": 0.35, "XOM": 0.25}


def _bundle(tmp_path_factory, arch: str, holdings) -> bytes:
    from finmodels.data.reading import load_csv
    from finmodels.models.architectures import get_architecture
    from finmodels.models.bundle import save_bundle
    from finmodels.models.training import TrainConfig, train

    hyper = get_architecture(arch).config_class(units=(4,), dense_units=4)
    config = TrainConfig(target=None, task="market_risk", arch=arch, epochs=2, window=10, hyperparameters=hyper,
                         var_level=0.975, holdings=holdings)
    path = tmp_path_factory.mktemp("forecast_bundles") / f"{arch}.zip"
    save_bundle(train(load_csv(PRICES), config, baselines=False), path)
    return path


@pytest.fixture(scope="module")
def gru_bundle(tmp_path_factory):
    """A market risk GRU on the 10-stock panel, equal weight over its tickers (no holdings)."""
    return _bundle(tmp_path_factory, "gru", None)


@pytest.fixture(scope="module")
def lstm_bundle(tmp_path_factory):
    """A market risk LSTM holding three of the ten stocks."""
    return _bundle(tmp_path_factory, "lstm", HOLDINGS)


def _dashboard(bundle, file):
    """What the Score page computes for an uploaded bundle and price file (ui.caches.next_day_forecast)."""
    from finmodels.data.reading import load_csv
    from finmodels.runtime.worker import forecast_bundle

    return forecast_bundle(bundle.read_bytes(), load_csv(file.read_bytes()))


def _json(capsys, *argv) -> dict:
    assert main(["score", *map(str, argv), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("name", ["gru_bundle", "lstm_bundle"])
def test_the_figures_are_the_score_pages(name, request, capsys, tmp_path):
    bundle = request.getfixturevalue(name)
    out = tmp_path / "forecast.csv"
    summary = _json(capsys, bundle, PRICES, "--out", out)
    page = _dashboard(bundle, PRICES)
    assert summary["as_of"] == "2018-02-07" == f"{page.as_of:%Y-%m-%d}" and summary["level"] == 0.975 == page.level
    assert summary["horizon"] == 1 and summary["out"] == str(out)
    for key in ("expected_return", "volatility", "var", "es"):
        assert summary["portfolio"][key] == pytest.approx(page.portfolio[key], rel=1e-9, abs=1e-12)
    assets = pd.DataFrame(summary["assets"]).set_index("ticker")
    expected = page.assets.set_index("ticker")
    assert list(assets.index) == TICKERS == list(expected.index)
    for key in ("last_price", "weight", "expected_return", "volatility", "var", "es"):
        assert assets[key].to_numpy() == pytest.approx(expected[key].to_numpy(), rel=1e-9, abs=1e-12)
    share = page.contributions.set_index("ticker")["contribution"].reindex(TICKERS)
    assert assets["contribution"].to_numpy() == pytest.approx(share.to_numpy(), rel=1e-9, abs=1e-12)
    # the CSV: the assets, then the portfolio's row
    written = pd.read_csv(out)
    assert list(written.columns) == ["ticker", "last_date", "last_price", "weight", "expected_return", "volatility",
                                     "var", "es"]
    assert written["ticker"].tolist() == [*TICKERS, "portfolio"] and set(written["last_date"]) == {"2018-02-07"}
    assert written["var"].iloc[-1] == pytest.approx(page.portfolio["var"], rel=1e-9)
    assert written["es"].iloc[:-1].to_numpy() == pytest.approx(expected["es"].to_numpy(), rel=1e-9)


def test_json_fields_are_finite_and_weights_the_runs(gru_bundle, lstm_bundle, capsys, tmp_path):
    equal = _json(capsys, gru_bundle, PRICES, "--out", tmp_path / "a.csv")
    held = _json(capsys, lstm_bundle, PRICES, "--out", tmp_path / "b.csv")
    for summary in (equal, held):
        assert set(summary) >= {"as_of", "level", "horizon", "portfolio", "assets", "notes", "out", "seconds"}
        assert set(summary["portfolio"]) >= {"expected_return", "volatility", "var", "es"}
        assert all(math.isfinite(v) for v in summary["portfolio"].values())
        for asset in summary["assets"]:
            assert set(asset) == {"ticker", "last_date", "last_price", "weight", "expected_return", "volatility",
                                  "var", "es", "contribution"}
            assert all(math.isfinite(asset[k]) for k in asset if k not in ("ticker", "last_date"))
            assert asset["es"] > asset["var"] > 0 and asset["volatility"] > 0
        p = summary["portfolio"]
        assert p["es"] > p["var"] > 0
        assert sum(a["contribution"] for a in summary["assets"]) == pytest.approx(p["var"], rel=1e-6)
        assert summary["notes"] == ["Next day after 2018-02-07; VaR at 97.5%."]
    assert {a["ticker"]: a["weight"] for a in equal["assets"]} == {t: pytest.approx(0.1) for t in TICKERS}
    assert {a["ticker"]: a["weight"] for a in held["assets"] if a["weight"]} == pytest.approx(HOLDINGS)
    for summary in (equal, held):  # the portfolio is the run's weights of these assets' forecasts
        assets = summary["assets"]
        assert summary["portfolio"]["expected_return"] == pytest.approx(
            sum(a["weight"] * a["expected_return"] for a in assets), rel=1e-6)
        assert summary["portfolio"]["volatility"] <= sum(a["weight"] * a["volatility"] for a in assets) + 1e-12


def test_the_text_table_per_asset_and_portfolio(gru_bundle, capsys, tmp_path):
    assert main(["score", str(gru_bundle), str(PRICES), "--out", str(tmp_path / "f.csv")]) == 0
    text = capsys.readouterr().out
    page = _dashboard(gru_bundle, PRICES)
    lines = text.splitlines()
    header = next(line for line in lines if line.split()[:1] == ["ticker"])
    assert "VaR 97.5%" in header and "expected shortfall" in header
    portfolio = next(line for line in lines if line.split()[:1] == ["portfolio"])
    assert f"{page.portfolio['var']:.2%}" in portfolio and f"{page.portfolio['es']:.2%}" in portfolio
    jpm = next(line for line in lines if line.split()[:1] == ["JPM"]).split()
    row = page.assets.set_index("ticker").loc["JPM"]
    assert jpm[-3:] == [f"{row['volatility']:.2%}", f"{row['var']:.2%}", f"{row['es']:.2%}"]
    assert f"Written to {tmp_path / 'f.csv'}" in text


def _without(tmp_path, name: str, change) -> str:
    frame = pd.read_csv(PRICES)
    file = tmp_path / name
    change(frame).to_csv(file, index=False)
    return str(file)


@pytest.mark.parametrize("name, how", [("gru_bundle", "equal weight over its 10 training tickers"),
                                       ("lstm_bundle", "its holdings")])
def test_a_file_missing_a_held_ticker_is_refused_by_name(name, how, request, capsys, tmp_path):
    file = _without(tmp_path, "no_jpm.csv", lambda f: f[f["Name"] != "JPM"])
    assert main(["score", str(request.getfixturevalue(name)), file, "--out", str(tmp_path / "f.csv")]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "Traceback" not in captured.err
    assert (f"error: The run's portfolio holds JPM ({how}), but column 'Name' of the price file has no rows for it. "
            "Add its prices up to the file's last day") in captured.err
    assert not (tmp_path / "f.csv").exists()


def test_missing_columns_and_short_histories_are_named(gru_bundle, capsys, tmp_path):
    cases = {
        "no_close.csv": (lambda f: f.drop(columns="close"),
                         "error: The price file lacks 1 column(s) the run reads: 'close' (its price). The file has "
                         "date, open, high, low, volume, Name."),
        "short_jpm.csv": (lambda f: pd.concat([f[f["Name"] != "JPM"], f[f["Name"] == "JPM"].tail(6)]),
                          "error: A forecast reads each ticker's last 10 returns, so it needs at least 11 days of "
                          "prices per ticker; the price file has fewer for JPM (6 rows)."),
    }
    for name, (change, message) in cases.items():
        file = _without(tmp_path, name, change)
        assert main(["score", str(gru_bundle), file, "--out", str(tmp_path / "f.csv")]) == 2
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err


def test_a_wide_file_missing_a_price_column_is_refused_by_name(capsys, tmp_path):
    """A run trained on a wide file (one price column per stock) names the missing column, not a ticker column."""
    from finmodels.models.architectures import get_architecture
    from finmodels.models.bundle import save_bundle
    from finmodels.models.training import TrainConfig, train

    wide = pd.read_csv(PRICES).pivot(index="date", columns="Name", values="close").reset_index()
    hyper = get_architecture("gru").config_class(units=(4,), dense_units=4)
    config = TrainConfig(target=None, task="market_risk", arch="gru", epochs=1, window=10, hyperparameters=hyper)
    bundle = tmp_path / "wide.zip"
    save_bundle(train(wide, config, baselines=False), bundle)
    file = tmp_path / "wide.csv"
    wide.to_csv(file, index=False)
    summary = _json(capsys, bundle, file, "--out", tmp_path / "f.csv")
    assert [a["ticker"] for a in summary["assets"]] == TICKERS and math.isfinite(summary["portfolio"]["var"])
    wide.drop(columns="JPM").to_csv(file, index=False)
    assert main(["score", str(bundle), str(file), "--out", str(tmp_path / "f.csv")]) == 2
    assert ("error: The run's portfolio holds JPM (equal weight over its 10 training tickers), but the price file "
            "has no price column named so. Add its prices") in capsys.readouterr().err


def test_a_ticker_the_run_never_saw_is_noted(gru_bundle, capsys, tmp_path):
    file = _without(tmp_path, "more.csv", lambda f: pd.concat([f, f[f["Name"] == "XOM"].assign(Name="XOM2")]))
    summary = _json(capsys, gru_bundle, file, "--out", tmp_path / "f.csv")
    assert summary["notes"][1] == ("1 ticker(s) the run was not trained on (XOM2) are forecast and held at equal "
                                   "weight with the others, as the Score page does.")
    assert len(summary["assets"]) == 11 and summary["assets"][-1]["weight"] == pytest.approx(1 / 11)

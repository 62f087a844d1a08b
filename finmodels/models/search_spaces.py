"""The search spaces of a hyperparameter search (`finmodels.models.search`): per registered architecture, the
settings optuna draws a trial from (its suggest_* calls), and the TrainConfig a trial's settings make.

Layer sizes halve from the first layer's; learning rate and batch size are searched for every architecture.
Importing this module loads neither optuna nor TensorFlow.
"""

from __future__ import annotations

import dataclasses
from typing import Callable

def _shared(trial) -> dict:
    return {"learning_rate": trial.suggest_float("learning_rate", 1e-4, 3e-2, log=True),
            "batch_size": trial.suggest_categorical("batch_size", [32, 64, 128, 256, 512, 1024])}


def _dense(trial) -> dict:
    return {"units": trial.suggest_categorical("units", [16, 32, 64, 128]),
            "layers": trial.suggest_int("layers", 1, 3),
            "dropout": trial.suggest_float("dropout", 0.0, 0.5),
            "l2": trial.suggest_float("l2", 1e-6, 1e-2, log=True)}


def _mlp(trial) -> dict:
    return {**_dense(trial), **_shared(trial)}


def _tabm(trial) -> dict:
    return {"units": trial.suggest_categorical("units", [32, 64, 128]),
            "layers": trial.suggest_int("layers", 1, 3),
            "members": trial.suggest_categorical("members", [4, 8, 16]),
            "dropout": trial.suggest_float("dropout", 0.0, 0.5),
            "l2": trial.suggest_float("l2", 1e-6, 1e-2, log=True), **_shared(trial)}


def _cnn(trial) -> dict:
    return {"filters": trial.suggest_categorical("filters", [16, 32, 64]),
            "layers": trial.suggest_int("layers", 1, 3),
            "kernel_size": trial.suggest_categorical("kernel_size", [2, 3, 5]),
            "dense_units": trial.suggest_categorical("dense_units", [16, 32, 64]),
            "dropout": trial.suggest_float("dropout", 0.0, 0.5), **_shared(trial)}


def _recurrent(trial) -> dict:
    return {"units": trial.suggest_categorical("units", [16, 32, 64]),
            "layers": trial.suggest_int("layers", 1, 2),
            "dense_units": trial.suggest_categorical("dense_units", [8, 16, 32]),
            "dropout": trial.suggest_float("dropout", 0.0, 0.4), **_shared(trial)}


def _vae(trial) -> dict:
    return {"units": trial.suggest_categorical("units", [32, 64, 128]),
            "layers": trial.suggest_int("layers", 1, 3),
            "latent_dim": trial.suggest_categorical("latent_dim", [2, 4, 8, 16]),
            "beta": trial.suggest_float("beta", 0.1, 4.0, log=True), **_shared(trial)}


def _plr(trial) -> dict:
    return {**_dense(trial),  # the dense network's settings, then its embeddings'
            "sigma": trial.suggest_float("sigma", 0.01, 1.0, log=True),
            "frequencies": trial.suggest_categorical("frequencies", [8, 16, 32]),
            "embedding": trial.suggest_categorical("embedding", [8, 16, 32]), **_shared(trial)}


def _dcn(trial) -> dict:
    return {**_dense(trial),  # the dense layers' settings, then the cross layers'
            "cross_layers": trial.suggest_int("cross_layers", 1, 4),
            "rank": trial.suggest_categorical("rank", [16, 32, 64, 128]), **_shared(trial)}


def _registered(spaces: dict) -> dict:
    from finmodels.models.architectures import ARCHITECTURES

    return {arch: space for arch, space in spaces.items() if arch in ARCHITECTURES}


# Per registered architecture: what a trial's settings are drawn from (optuna's suggest_* calls).
SEARCH_SPACES: dict[str, Callable] = _registered({"mlp": _mlp, "tabm": _tabm, "cnn": _cnn, "lstm": _recurrent,
                                                  "gru": _recurrent, "vae": _vae, "plr": _plr,
                                                  "dcn": _dcn})


def _halving(first: int, layers: int) -> tuple[int, ...]:
    return tuple(max(4, int(first) // 2 ** i) for i in range(int(layers)))


def config_from_params(config, params: dict):
    """The TrainConfig of a trial: `config` with the trial's settings (architecture hyperparameters, learning rate
    and batch size); layer sizes halve from the first layer's."""
    hyper = config.hyper
    p = dict(params)
    layers = int(p.pop("layers", 1))
    changes = {}
    if config.arch == "mlp":
        changes = dict(units=_halving(p["units"], layers), dropout=float(p["dropout"]), l2=float(p["l2"]))
    elif config.arch == "tabm":
        changes = dict(units=_halving(p["units"], layers), members=int(p["members"]), dropout=float(p["dropout"]),
                       l2=float(p["l2"]))
    elif config.arch == "cnn":
        changes = dict(filters=(int(p["filters"]),) * layers, kernel_size=int(p["kernel_size"]),
                       dense_units=int(p["dense_units"]), dropout=float(p["dropout"]))
    elif config.arch in ("lstm", "gru"):
        changes = dict(units=_halving(p["units"], layers), dense_units=int(p["dense_units"]),
                       dropout=float(p["dropout"]))
    elif config.arch == "plr":
        changes = dict(units=_halving(p["units"], layers), dropout=float(p["dropout"]), l2=float(p["l2"]),
                       sigma=float(p["sigma"]), frequencies=int(p["frequencies"]), embedding=int(p["embedding"]))
    elif config.arch == "dcn":
        changes = dict(units=_halving(p["units"], layers), dropout=float(p["dropout"]), l2=float(p["l2"]),
                       cross_layers=int(p["cross_layers"]), rank=int(p["rank"]))
    elif config.arch == "vae":
        changes = dict(units=_halving(p["units"], layers), latent_dim=int(p["latent_dim"]), beta=float(p["beta"]))
    return dataclasses.replace(config, hyperparameters=dataclasses.replace(hyper, **changes),
                               learning_rate=float(p["learning_rate"]), batch_size=int(p["batch_size"]))


__all__ = ["SEARCH_SPACES", "config_from_params"]

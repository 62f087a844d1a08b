"""The workspace: every run kept in MLflow, so a reload of the tab or a restart of the server loses none.

Where runs are kept, in this order: the `root` given to `Workspace`; the team's own MLflow server when
`MLFLOW_TRACKING_URI` is set; else the folder `FINMODELS_WORKSPACE` (default: `workspace/` beside app.py) with
MLflow's embedded SQLite store (`mlflow.db`) and its artifacts (`artifacts/<area>/<run id>/`).

An area separates analysts: one MLflow experiment (`finmodels/<area>`) and one registered model
(`finmodels-<area>`, whose aliases name the champion and challengers) per area.

A run keeps its configuration (params); the network's metrics, each baseline's (`baseline/<name>/<metric>`) and
the per-epoch history (`epoch/<key>`, one step per epoch); the data file's name, shape and fingerprint (tags);
and as artifacts the model bundle (`bundle.zip`), what Evaluate needs to redraw the run without its data
(`evaluation.npz`: test targets and scores, each baseline's scores, the split and the numeric details; read
without pickle) and its description (`run.json`), plus the explanation summary and the report when given, and
what later work on the run adds (`records.keep_result`: fairness, kept what-ifs, the search that chose it, the
decision set on Evaluate), and the explanations computed on Explain (`explanations.json`, one per class explained:
`finmodels.explain.stored`, with the explained rows only where data is kept). The data itself is kept only where
the team opts in (`FINMODELS_KEEP_DATA=1`).

Several processes may write at once (the dashboard's workers, the command line): on the SQLite store writes take
a lock file in the folder, one writer at a time, and a "database is locked" read is retried with backoff.
MLflow (about 4 s to import) is imported on first use, not with this module.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import shutil
import tempfile
import threading
import time
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from finmodels.runtime.mlflow_import import import_mlflow, mlflow_exception
from finmodels.errors import FinModelsError
from finmodels.runtime.store import Retrying, discard_run, local_path, log_batches, log_files
from finmodels.runtime.records import (RUN_FORMAT, RUN_FORMAT_VERSION, bundle_preprocessor, detached_result,
                                       evaluation_npz, metric_key, plain, read_npz, run_metrics, run_params,
                                       run_record)

if TYPE_CHECKING:
    import pandas as pd

    from finmodels.models.training import TrainingResult

ENV_ROOT = "FINMODELS_WORKSPACE"
ENV_KEEP_DATA = "FINMODELS_KEEP_DATA"
DEFAULT_ROOT = Path(__file__).resolve().parents[2] / "workspace"
DEFAULT_AREA = "default"
# Artifacts a run may hold; later additions (add_artifact) use one of these names.
ARTIFACTS = ("bundle.zip", "evaluation.npz", "run.json", "explanation.json", "report.html", "data.csv",
             "fairness.json", "whatif.json", "search.json", "decision.json", "explanations.json")
SOURCES = ("dashboard", "command line", "benchmark", "test")
_AREA = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_ALIAS = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,62}")
_CLIENTS: dict[str, object] = {}  # one MLflow client per store and process: opening a store checks its schema (~1.5 s)
_LOCKS: dict[Path, object] = {}  # the write lock of each SQLite workspace folder
_CLIENTS_LOCK = threading.RLock()


class WorkspaceError(FinModelsError):
    """The workspace cannot be used as asked: a folder that cannot be written, an unknown run, a bad area name."""


@dataclass(frozen=True)
class RunSummary:
    """One kept run, as the Runs page and `python -m finmodels runs` list it."""

    run_id: str
    started: datetime  # UTC
    file: str  # the data file's name
    task: str
    arch: str
    metric: str  # the task's headline metric
    value: float | None  # its test value; None when undefined
    alias: str | None  # "champion" (or other aliases, comma-separated) when the run holds one
    source: str  # "dashboard", "command line", ...
    rows: int | None = None
    network: str = ""  # what the run is named by: its architecture's label, or its blend (blend.network_title)
    fingerprint: str = ""  # its data file's (data_fingerprint)


def data_fingerprint(frame: "pd.DataFrame") -> str:
    """SHA-256 over the column names and pandas' hash of every row's values: the same table gives the same
    fingerprint, whatever its file name; one changed cell, column name or row order gives another."""
    import hashlib

    import pandas as pd

    digest = hashlib.sha256()
    digest.update("\x1f".join(map(str, frame.columns)).encode())
    digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def keep_data_default() -> bool:
    """Whether the team opted in to keeping uploaded files with their runs (`FINMODELS_KEEP_DATA=1`)."""
    return os.environ.get(ENV_KEEP_DATA, "").strip().lower() in ("1", "true", "yes", "on")


class Workspace:
    """The runs of one area of a workspace: log, list, read back, promote and delete them.

    `root` is the workspace folder (default: `MLFLOW_TRACKING_URI` when set, else `FINMODELS_WORKSPACE`, else
    `workspace/` beside app.py). Making a Workspace is cheap and does not touch MLflow; a folder that cannot be
    written raises WorkspaceError at once, naming it.
    """

    def __init__(self, root: str | Path | None = None, *, area: str = DEFAULT_AREA, keep_data: bool | None = None):
        if not isinstance(area, str) or not _AREA.fullmatch(area):
            raise WorkspaceError(f"Workspace area {area!r} is not a valid name: use 1-64 letters, digits, '-', '_' "
                                 "or '.', starting with a letter or digit.")
        self.area = area
        self.keep_data = keep_data_default() if keep_data is None else bool(keep_data)
        server = os.environ.get("MLFLOW_TRACKING_URI", "").strip()
        if root is None and server:
            self.root, self.tracking_uri = None, server
        else:
            self.root = Path(root if root is not None else os.environ.get(ENV_ROOT) or DEFAULT_ROOT).expanduser()
            self.root = self.root.resolve()
            _check_writable(self.root)
            self.tracking_uri = f"sqlite:///{self.root / 'mlflow.db'}"
        self.experiment_name = f"finmodels/{area}"
        self.model_name = f"finmodels-{area}"
        self._experiment_id: str | None = None

    def __repr__(self) -> str:
        return f"Workspace({self.where!r}, area={self.area!r})"

    @property
    def where(self) -> str:
        """The folder, or the tracking server, that holds the runs (for messages)."""
        return str(self.root) if self.root is not None else self.tracking_uri

    # -- writing -------------------------------------------------------------------------------------------------

    def log_run(self, result: "TrainingResult", *, data_name: str, data_fingerprint: str, source: str = "dashboard",
                explanation_summary: dict | None = None, report_html: str | None = None,
                data: "pd.DataFrame | None" = None) -> str:
        """Keep a finished run; returns its run id (also set as `result.run_id`).

        `data` is kept (as data.csv) only when the workspace keeps data (`FINMODELS_KEEP_DATA=1`); otherwise only
        its name, shape and fingerprint are. The time keeping it takes is kept with it, as `result.seconds["save"]`.
        """
        saving = time.perf_counter()
        from finmodels.models.bundle import bundle_bytes
        from finmodels.models.training.blend import run_title

        bundle = bundle_bytes(result)  # before taking the lock: serialising the model is the slow part
        record = run_record(result, data_name=data_name, data_fingerprint=data_fingerprint, source=source)
        files = {"bundle.zip": bundle, "evaluation.npz": evaluation_npz(result)}
        if explanation_summary is not None:
            files["explanation.json"] = json.dumps(plain(explanation_summary), indent=1)
        if report_html is not None:
            files["report.html"] = report_html
        if data is not None and self.keep_data:
            files["data.csv"] = data.to_csv(index=False)
        shape = record["data"]["shape"]
        tags = {"finmodels.file": data_name, "finmodels.rows": shape[0], "finmodels.columns": shape[1],
                "finmodels.fingerprint": data_fingerprint, "finmodels.task": result.config.task,
                "finmodels.arch": result.config.arch, "finmodels.network": run_title(result), "finmodels.kind": result.kind,
                "finmodels.headline": record["headline"], "finmodels.source": source,
                "finmodels.data_kept": "data.csv" in files,
                "mlflow.runName": f"{result.config.arch} · {result.config.task} · {data_name}"}
        metrics = run_metrics(result)
        params = run_params(result)
        client, experiment = self._client(), self._experiment()
        with self._writing():
            run = client.create_run(experiment, tags={k: str(v)[:5000] for k, v in tags.items()})
            run_id = run.info.run_id
            try:
                log_batches(client, run_id, metrics, params)
                log_files(client, run_id, files)
                result.seconds["save"] = record["seconds"]["save"] = time.perf_counter() - saving  # run.json last
                log_files(client, run_id, {"run.json": json.dumps(record, indent=1)})
                client.set_terminated(run_id, "FINISHED")
            except BaseException:
                discard_run(client, run_id)
                raise
        result.run_id = run_id
        return run_id

    def add_artifact(self, run_id: str, name: str, data: bytes | str) -> None:
        """Add (or replace) one of a kept run's artifacts, e.g. its explanation summary or report, later."""
        if name not in ARTIFACTS:
            raise WorkspaceError(f"Unknown run artifact '{name}'. A run keeps: {', '.join(ARTIFACTS)}.")
        self._run(run_id)
        with self._writing():
            log_files(self._client(), run_id, {name: data})

    def delete_run(self, run_id: str) -> None:
        """Delete a run: it leaves the list, loses any alias, and its artifacts (bundle, data) are removed."""
        run = self._run(run_id)
        client = self._client()
        with self._writing():
            for version in self._model_versions(run_id):
                client.delete_model_version(self.model_name, version.version)
            client.delete_run(run_id)
        local = local_path(run.info.artifact_uri)  # <experiment's location>/<run id>/artifacts
        if local is not None:
            shutil.rmtree(local.parent if local.parent.name == run_id else local, ignore_errors=True)

    def promote(self, run_id: str, alias: str = "champion") -> None:
        """Make `run_id` the area's `alias` (champion by default), through the area's registered model; the run
        that held the alias before loses it."""
        if not _ALIAS.fullmatch(alias) or alias.lower() == "latest" or re.fullmatch(r"[vV]\d+", alias):
            raise WorkspaceError(f"Alias {alias!r} cannot be used: use letters, digits, '-' and '_', starting with a "
                                 "letter (not 'latest' or 'v1', 'v2' ...), e.g. 'champion' or 'challenger'.")
        self._run(run_id)
        MlflowException = mlflow_exception()

        client = self._client()
        with self._writing():
            try:
                client.create_registered_model(self.model_name, description=f"Champion and challengers of area "
                                                                            f"'{self.area}'.")
            except MlflowException as exc:
                if exc.error_code != "RESOURCE_ALREADY_EXISTS":
                    raise
            versions = self._model_versions(run_id)
            version = versions[0] if versions else client.create_model_version(
                self.model_name, f"runs:/{run_id}/bundle.zip", run_id=run_id)
            client.set_registered_model_alias(self.model_name, alias, version.version)

    # -- reading -------------------------------------------------------------------------------------------------

    def list_runs(self, *, file: str | None = None, task: str | None = None) -> list[RunSummary]:
        """Every finished run of the area, newest first; `file` and `task` keep only runs on that data file or
        task."""
        from finmodels.models.training.blend import arch_label

        if self._empty():
            return []
        client = self._client()
        aliases = self._aliases()
        runs, token = [], None
        while True:
            page = client.search_runs([self._experiment()], filter_string="attributes.status = 'FINISHED'",
                                      order_by=["attributes.start_time DESC"], max_results=1000, page_token=token)
            runs.extend(page)
            token = page.token
            if not token:
                break
        out = []
        for run in runs:
            tags = run.data.tags
            if (file is not None and tags.get("finmodels.file") != file) or \
                    (task is not None and tags.get("finmodels.task") != task):
                continue
            headline = tags.get("finmodels.headline", "")
            value = run.data.metrics.get(metric_key(headline)) if headline else None
            rows = tags.get("finmodels.rows", "")
            out.append(RunSummary(
                run_id=run.info.run_id, started=datetime.fromtimestamp(run.info.start_time / 1000, tz=timezone.utc),
                file=tags.get("finmodels.file", ""), task=tags.get("finmodels.task", ""),
                arch=tags.get("finmodels.arch", ""), metric=headline,
                value=None if value is None or not math.isfinite(value) else float(value),
                alias=", ".join(aliases.get(run.info.run_id, [])) or None, source=tags.get("finmodels.source", ""),
                rows=int(rows) if rows.isdigit() else None,
                network=tags.get("finmodels.network") or arch_label(tags.get("finmodels.arch", "")),
                fingerprint=tags.get("finmodels.fingerprint", "")))
        return out

    def latest_run(self, *, fingerprint: str | None = None) -> RunSummary | None:
        """The area's newest finished run, of the data whose fingerprint starts with `fingerprint` when given; None
        when there is none. Unlike `list_runs`, an area never used stays uncreated (a tab just opened asks)."""
        if self._empty() or self._client().get_experiment_by_name(self.experiment_name) is None:
            return None
        return next((r for r in self.list_runs() if not fingerprint or r.fingerprint.startswith(fingerprint)), None)

    def champion(self, alias: str = "champion") -> str | None:
        """The run id holding `alias` (the champion by default), or None when no run does."""
        if self._empty():
            return None
        MlflowException = mlflow_exception()

        try:
            return self._client().get_model_version_by_alias(self.model_name, alias).run_id
        except MlflowException as exc:
            if exc.error_code in ("RESOURCE_DOES_NOT_EXIST", "INVALID_PARAMETER_VALUE"):
                return None
            raise

    def read_artifact(self, run_id: str, name: str) -> bytes:
        """One artifact of a run (see ARTIFACTS) as bytes; WorkspaceError when the run does not have it."""
        if name not in ARTIFACTS:
            raise WorkspaceError(f"Unknown run artifact '{name}'. A run keeps: {', '.join(ARTIFACTS)}.")
        self._run(run_id)
        MlflowException = mlflow_exception()

        with tempfile.TemporaryDirectory(prefix="finmodels-") as tmp:
            try:
                path = self._client().download_artifacts(run_id, name, dst_path=tmp)
                return Path(path).read_bytes()
            except (MlflowException, OSError):
                raise WorkspaceError(f"Run {run_id} has no '{name}' in workspace {self.where}"
                                     + (" (this workspace does not keep data files)." if name == "data.csv" else
                                        "; it was not kept with the run.")) from None

    def bundle_bytes(self, run_id: str) -> bytes:
        """The run's model bundle (bytes of the zip file; read it with `finmodels.models.bundle.load_bundle`)."""
        return self.read_artifact(run_id, "bundle.zip")

    def load_data(self, run_id: str) -> "pd.DataFrame | None":
        """The data file kept with the run, or None when the workspace did not keep it (the default)."""
        import pandas as pd

        if self._run(run_id).data.tags.get("finmodels.data_kept") != "True":
            return None
        return pd.read_csv(io.BytesIO(self.read_artifact(run_id, "data.csv")))

    def load_result(self, run_id: str, *, preprocessor: bool = True) -> "TrainingResult":
        """The run as a detached TrainingResult: no model and no rows (`model` and `frame` are None, `y` holds the
        test targets), with its config, kind, metrics, baselines (without their models), history, test scores,
        split, details, class labels, notes, settings and seconds; the preprocessing comes from the bundle when
        `preprocessor` (None when the bundle cannot be read). Evaluate and the report draw from it."""
        run = self._run(run_id)
        record = json.loads(self.read_artifact(run_id, "run.json"))
        if record.get("format") != RUN_FORMAT or record.get("version") != RUN_FORMAT_VERSION:
            raise WorkspaceError(f"Run {run_id} was kept by another version of this tool (run.json format "
                                 f"{record.get('format')!r} version {record.get('version')!r}); it cannot be opened.")
        arrays = read_npz(self.read_artifact(run_id, "evaluation.npz"))
        history = {key: self._history(run_id, key) for key in record["history"]}
        notes = list(record["notes"])
        pre = None
        if preprocessor:
            pre, problem = bundle_preprocessor(self.bundle_bytes(run_id))
            if problem:
                notes.append(problem)
        result = detached_result(record, arrays, run.data.metrics, history, pre, run_id, notes)
        result.data_info["area"] = self.area  # where a worker finds its bundle, whoever opens it
        return result

    # -- MLflow plumbing -----------------------------------------------------------------------------------------

    def _client(self):
        import_mlflow()
        with _CLIENTS_LOCK:
            client = _CLIENTS.get(self.tracking_uri)
            if client is None:
                os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")  # not on a server's stderr
                import logging

                from mlflow.tracking import MlflowClient

                for name in ("mlflow.store.db.utils", "alembic"):  # "Creating initial MLflow database tables..."
                    logging.getLogger(name).setLevel(logging.WARNING)
                with self._writing():  # two processes creating the tables at once would race
                    client = Retrying(MlflowClient(tracking_uri=self.tracking_uri, registry_uri=self.tracking_uri))
                _CLIENTS[self.tracking_uri] = client
        return client

    def _experiment(self) -> str:
        if self._experiment_id is None:
            client = self._client()
            experiment = client.get_experiment_by_name(self.experiment_name)
            if experiment is None:
                with self._writing():
                    experiment = client.get_experiment_by_name(self.experiment_name)
                    if experiment is None:
                        location = (self.root / "artifacts" / self.area).as_uri() if self.root else None
                        client.create_experiment(self.experiment_name, artifact_location=location,
                                                 tags={"finmodels.area": self.area})
                        experiment = client.get_experiment_by_name(self.experiment_name)
            self._experiment_id = experiment.experiment_id
        return self._experiment_id

    def _writing(self):
        """One writer at a time on a SQLite store (a lock file beside it); a tracking server handles its own."""
        if self.root is None:
            return nullcontext()
        from filelock import FileLock

        with _CLIENTS_LOCK:
            # One lock object per folder: reentrant within a thread, exclusive across threads and processes.
            lock = _LOCKS.get(self.root)
            if lock is None:
                lock = _LOCKS[self.root] = FileLock(str(self.root / ".write.lock"), timeout=120)
        return lock

    def _empty(self) -> bool:
        # Listing an untouched workspace needs no database (creating one takes ~10 s).
        return self.root is not None and not (self.root / "mlflow.db").exists()

    def _run(self, run_id: str):
        MlflowException = mlflow_exception()

        if not isinstance(run_id, str) or not re.fullmatch(r"[0-9a-f]{32}", run_id):
            raise WorkspaceError(f"'{run_id}' is not a run id (32 hexadecimal characters). "
                                 "List the runs with `python -m finmodels runs`.")
        try:
            run = self._client().get_run(run_id)
        except MlflowException as exc:
            if exc.error_code != "RESOURCE_DOES_NOT_EXIST":
                raise
            run = None
        if run is None or run.info.lifecycle_stage != "active" or run.info.experiment_id != self._experiment():
            raise WorkspaceError(f"Run {run_id} is not in area '{self.area}' of workspace {self.where} (it was "
                                 "deleted, or belongs to another area). List the runs with `python -m finmodels runs`.")
        return run

    def _history(self, run_id: str, key: str) -> list[float]:
        points = self._client().get_metric_history(run_id, metric_key(f"epoch/{key}"))
        return [float(p.value) for p in sorted(points, key=lambda p: p.step)]

    def _aliases(self) -> dict[str, list[str]]:
        """Run id -> its aliases in the area's registered model."""
        MlflowException = mlflow_exception()

        client = self._client()
        try:
            model = client.get_registered_model(self.model_name)
        except MlflowException as exc:
            if exc.error_code == "RESOURCE_DOES_NOT_EXIST":
                return {}
            raise
        out: dict[str, list[str]] = {}
        for alias, version in sorted(dict(model.aliases).items()):
            out.setdefault(client.get_model_version(self.model_name, version).run_id, []).append(alias)
        return out

    def _model_versions(self, run_id: str) -> list:
        return list(self._client().search_model_versions(f"name = '{self.model_name}' and run_id = '{run_id}'"))


def _check_writable(root: Path) -> None:
    try:
        root.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=root, prefix=".write-test-"):
            pass
    except OSError as exc:
        raise WorkspaceError(f"The workspace folder '{root}' cannot be written ({exc.strerror or exc}). Set "
                             f"{ENV_ROOT} to a folder this server can write (or make '{root}' writable), then "
                             "start again.") from None

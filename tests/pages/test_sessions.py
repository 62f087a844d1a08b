"""Many users, many runs: sessions keep their own data and models, memory stays bounded, data stays private.

The resident-memory figures of 20 retrains are printed (run with -s) and written to
tests/screenshots/memory.json; only the release of old runs is asserted, never a memory size.
"""

import gc
import json
import logging
import os
import tempfile
import time
import weakref

import pytest

from tests.pages.browser import SCREENSHOTS
from tests.pages.test_pages import ROOT, one_network, page, wait_for_job
from finmodels.delivery.runs import RunHistory
from ui.state import Dataset


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def start_training(at, *, units: str, epochs: int):
    one_network(at)
    at.text_input(key="train_units").set_value(units)
    at.number_input(key="train_epochs").set_value(epochs)
    at.button(key="FormSubmitter:train_form-Train").click().run()
    assert not at.exception
    return at.session_state["train_job"]


JOURNEY = """
import json, sys
from streamlit.testing.v1 import AppTest
from tests.pages.test_pages import kept, page, train_tiny
home = page("app.py")
home.button(key="home_load").click().run()
at = page("pages/2_Train.py", {"dataset": home.session_state["dataset"], "target": "creditability",
                               "event_label": "bad", "_session_area": home.session_state["_session_area"]})
train_tiny(at)
shown = {}
for name in ("pages/3_Evaluate.py", "pages/4_Explain.py", "pages/5_Score.py", "pages/6_Runs.py", "pages/7_Report.py"):
    view = page(name, kept(at))
    shown[name] = [str(e) for e in view.exception] + [e.value for e in view.error]
explanation = page("pages/4_Explain.py", kept(at)).session_state["explanation"]
print(json.dumps({"loaded": sorted(m for m in ("tensorflow", "keras", "shap") if m in sys.modules),
                  "problems": shown, "explained_rows": len(explanation.predictions),
                  "auc": at.session_state["run"].metrics["roc_auc"]}))
"""


def test_the_web_process_never_imports_the_model_stack():
    """A whole journey (load, train, evaluate, explain, score, runs, report) in a fresh process, as the server
    runs it: every fit and explanation happens in a worker, and TensorFlow, Keras and shap never load here."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", JOURNEY], cwd=ROOT, capture_output=True, text=True, timeout=600,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stderr[-3000:]
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["loaded"] == []
    assert all(problems == [] for problems in report["problems"].values()), report["problems"]
    assert report["explained_rows"] > 0 and 0.6 < report["auc"] <= 1.0


def test_two_sessions_training_at_once_keep_their_own_data_models_and_results(german):
    from finmodels.data.samples import load_sample

    taiwan = load_sample("taiwan_default").head(3000)
    a = page("pages/2_Train.py", {"dataset": Dataset("German credit", german), "target": "creditability",
                                  "event_label": "bad"})
    b = page("pages/2_Train.py", {"dataset": Dataset("Taiwan default", taiwan),
                                  "target": "default_payment_next_month", "event_label": "1"})
    job_a = start_training(a, units="16", epochs=15)
    job_b = start_training(b, units="8, 4", epochs=15)
    # Both train at once while both pages keep rerunning, as two users' browsers poll their progress.
    while job_a.running or job_b.running:
        a.run()
        b.run()
        assert not a.exception and not b.exception
        time.sleep(0.2)
    wait_for_job(a)
    wait_for_job(b)
    run_a, run_b = a.session_state["run"], b.session_state["run"]
    assert run_a.config.target == "creditability" and run_a.config.hyper.units == (16,)
    assert run_b.config.target == "default_payment_next_month" and run_b.config.hyper.units == (8, 4)
    assert len(run_a.frame) == 1000 and len(run_b.frame) == 3000
    # the networks stay in the workers, each session's in its own process and its own workspace area
    assert run_a.model is None and run_b.model is None and run_a.run_id != run_b.run_id
    assert job_a.job.worker_pid != job_b.job.worker_pid
    assert run_a.data_info["area"] != run_b.data_info["area"]
    assert [r.data_name for r in a.session_state["runs"]] == ["German credit"]
    assert [r.data_name for r in b.session_state["runs"]] == ["Taiwan default"]
    for run in (run_a, run_b):  # each session's scores and metrics belong to its own test rows
        from finmodels.evaluation.curves import roc_auc

        assert len(run.test_scores) == len(run.split.test)
        assert roc_auc(run.y[run.split.test], run.test_scores) == pytest.approx(run.metrics["roc_auc"], abs=1e-6)


def test_retrains_through_the_page_release_runs_beyond_the_limit(german):
    """The page holds no other reference to an old run (job, current run, figures): it is freed."""
    at = page("pages/2_Train.py", {"dataset": Dataset("German credit", german.head(400)), "target": "creditability",
                                   "event_label": "bad", "runs": RunHistory(limit=2)})
    refs = []
    for seed in range(4):
        at.number_input(key="train_seed").set_value(seed)
        start_training(at, units="8", epochs=2)
        wait_for_job(at)
        refs.append(weakref.ref(at.session_state["run"]))
    at.switch_page("pages/3_Evaluate.py").run()  # the Evaluate page caches figures of the current run
    gc.collect()
    assert [ref() is not None for ref in refs] == [False, False, True, True]
    assert [r.number for r in at.session_state["runs"]] == [3, 4]


def test_twenty_retrains_keep_five_runs_and_release_the_rest(german):
    """Resident memory over 20 retrains in one run history (the figures go to memory.json)."""
    from finmodels.models.architectures import MLPConfig
    from finmodels.models.training import TrainConfig, train

    history, refs, rss = RunHistory(), [], []
    for seed in range(20):
        config = TrainConfig(members=1, blend=(),
                             target="creditability", hyperparameters=MLPConfig(units=(16,)), epochs=2, seed=seed)
        history.add(train(german.head(400), config, baselines=False), data_name="German credit")
        refs.append(weakref.ref(history.latest().result))
        gc.collect()
        rss.append(round(rss_mb(), 1))
    assert len(history) == 5 and history.released == 15
    assert [i + 1 for i, ref in enumerate(refs) if ref() is not None] == [16, 17, 18, 19, 20]
    figures = {"rss_mb_after_retrain": rss, "growth_mb_retrains_6_to_20": round(rss[-1] - rss[4], 1)}
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "memory.json").write_text(json.dumps(figures, indent=2))
    print("\nresident memory after each of 20 retrains (MB):", rss)


def test_uploaded_rows_reach_neither_disk_nor_logs(german, caplog, capfd):
    marker = "ZZ-PRIVATE-4711"
    frame = german.copy()
    frame["purpose"] = frame["purpose"].astype(object)
    frame.loc[:, "purpose"] = [marker if i % 3 == 0 else v for i, v in enumerate(frame["purpose"])]
    watched = [ROOT, tempfile.gettempdir()]
    before = {d: set(os.listdir(d)) for d in watched}
    caplog.set_level(logging.DEBUG)
    at = page("pages/1_Data.py")
    at.get("file_uploader")[0].set_value(("private.csv", frame.to_csv(index=False).encode(), "text/csv")).run()
    assert not at.exception
    at.switch_page("pages/2_Train.py").run()
    start_training(at, units="8", epochs=3)
    wait_for_job(at)
    at.switch_page("pages/5_Score.py").run()
    at.get("file_uploader")[-1].set_value(("new.csv", frame.head(30).to_csv(index=False).encode(), "text/csv")).run()
    assert not at.exception
    assert marker in at.session_state["scored"][2].table["purpose"].tolist()  # it was really read and scored
    out, err = capfd.readouterr()
    assert marker not in caplog.text and marker not in out and marker not in err
    for directory in watched:
        for name in set(os.listdir(directory)) - before[directory]:
            path = os.path.join(directory, name)
            if os.path.isfile(path):
                with open(path, "rb") as handle:
                    assert marker.encode() not in handle.read(), f"{path} holds uploaded rows"


def test_server_settings_match_the_loader_and_keep_the_server_private():
    import tomllib

    from finmodels.data.reading import MAX_UPLOAD_MB

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == MAX_UPLOAD_MB
    assert config["server"]["enableXsrfProtection"] is True
    assert config["browser"]["gatherUsageStats"] is False


def test_a_fit_beyond_the_workers_waits_its_turn_shows_its_place_and_can_be_stopped(german):
    from finmodels.errors import TrainingStopped
    from finmodels.models.training import TrainConfig
    from finmodels.runtime.worker import ping
    from ui import jobs, runtime

    pool = runtime.runner()
    busy = [pool.submit(ping, seconds=30, epochs=300, progress=True, label=f"another analyst's fit {i}")
            for i in range(pool.workers)]
    deadline = time.monotonic() + 120
    while any(b.queued for b in busy) and time.monotonic() < deadline:
        time.sleep(0.05)
    job = jobs.start_training(german, TrainConfig(target="creditability", epochs=2), data_name="German credit")
    assert job.queued and job.running and job.position == 1
    assert jobs.progress_text(job) == ("Waiting for a free worker: every worker is training another run · next to "
                                       "start...")
    job.stop()
    assert job.wait(10)
    assert isinstance(job.error, TrainingStopped) and job.result is None and job.epochs_done == 0
    assert str(job.error) == "Stopped while waiting in the queue; nothing was trained."
    for b in busy:
        b.stop()
    assert all(b.wait(60) for b in busy)


def test_the_progress_line_names_each_stage_and_the_bar_is_full_after_the_fit(german):
    from finmodels.models.training import TrainConfig
    from ui import jobs

    job = jobs.start_training(german, TrainConfig(target="creditability", epochs=2), data_name="German credit")
    assert job.wait(180) and job.error is None
    notes = job.job.notes
    assert notes[:2] == ["Encoding the target and splitting the rows...", "Preprocessing 1,000 rows..."]
    # German credit's 800 training and validation rows: five dense and five cross networks, each learning from 640
    fits = [n for n in notes if n.startswith("Fitting the network")]
    assert fits[0] == ("Fitting the network 1 of 10 (cross-fitted; dense network (MLP)) on 640 rows, stopping early "
                       "on 160...")
    assert len(fits) == 10 and fits[-1].startswith("Fitting the network 10 of 10 (cross-fitted; deep & cross network ")
    assert job.network_kind == "deep & cross network (DCN-V2)"  # the last network's, as the progress line names it
    assert job.fitted and job.fraction == 1.0 and job.network == (10, 10) and job.planned == 10
    assert job.stage == notes[-1].rstrip(".")
    assert jobs.progress_text(job).startswith(f"{job.stage} · 10 networks trained for 20 epochs in all · ")


def test_the_progress_line_of_a_network_in_training_is_short():
    """A new user read 'Network 4 of 10 (cross-fitted, a dense network (MLP)) · 15 epochs in all, at most 100 per
    network · validation loss ... · baselines and test metrics follow' as noise: the line now says which network,
    its own epoch, its validation loss and the clock."""
    from types import SimpleNamespace

    from ui import jobs

    history = {"loss": [0.7] * 15, "val_loss": [0.6] * 6, "network_2_val_loss": [0.5, 0.45],
               "network_4_val_loss": [0.52, 0.4861, 0.4713]}
    job = SimpleNamespace(epochs_done=15, config=SimpleNamespace(epochs=100), queued=False, stop_requested=False,
                          fitted=False, stage=None, network=(4, 10), network_kind="dense network (MLP)",
                          history=history, elapsed=42.4)
    assert jobs.progress_text(job) == ("Network 4 of 10 (dense network (MLP)) · epoch 3 of at most 100 · validation "
                                       "loss 0.4713 · 42 s so far")
    job.network, job.history = (5, 10), {**history, "network_5_val_loss": []}
    assert jobs.progress_text(job) == "Network 5 of 10 (dense network (MLP)) · first epoch running · 42 s so far"
    job.network = None
    assert jobs.progress_text(job) == "Epoch 15 of at most 100 · validation loss 0.6000 · 42 s so far"

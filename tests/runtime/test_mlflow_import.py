"""Several sessions opening the workspace at once in a fresh web process: each thread's first use of mlflow went
through a different submodule, and the import broke for good ('partially initialized module mlflow.tracking', a
deadlock detected in mlflow.protos). A fresh Python (mlflow not imported yet) runs the threads."""

import subprocess
import sys
import textwrap

from tests.conftest import ROOT

SCRIPT = textwrap.dedent("""
    import sys, threading
    from finmodels.runtime.workspace import Workspace
    root, errors = sys.argv[1], []
    calls = [lambda w: w.champion(), lambda w: w.list_runs(), lambda w: w.champion("challenger"), lambda w: w.list_runs(),
             lambda w: w.promote("0" * 32), lambda w: w.latest_run(), lambda w: w.champion(), lambda w: w.list_runs()]
    barrier = threading.Barrier(len(calls))

    def session(i, call):
        barrier.wait()
        try:
            call(Workspace(root, area=f"area-{i}"))
        except Exception as exc:  # a WorkspaceError of promote's unknown run is expected; an ImportError is not
            errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=session, args=(i, c)) for i, c in enumerate(calls)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    print("\\n".join(errors))
""")


def test_eight_sessions_first_touching_the_workspace_at_once_import_mlflow_once(tmp_path):
    # a workspace that holds a store (an empty one needs no mlflow), made by another process as a server's would be
    made = subprocess.run([sys.executable, "-c", "import sys; from finmodels.runtime.workspace import Workspace; "
                           "Workspace(sys.argv[1])._client()", str(tmp_path)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert made.returncode == 0 and (tmp_path / "mlflow.db").exists(), made.stderr[-2000:]
    for attempt in range(3):  # before the fix, threads like these broke the import on every attempt
        done = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path)], cwd=ROOT, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        errors = [line for line in done.stdout.splitlines() if line]
        assert all(e.startswith("WorkspaceError") for e in errors), errors
        assert not any("partially initialized" in e or "Deadlock" in e for e in errors)

"""A run leaves the server's log readable: warnings about libraries' own calls (shap calling Keras with a list,
optbinning calling pandas APIs that pandas 3 deprecates) are silenced where they arise, once for every run.

The run is a fresh interpreter with Python's default warning filter, like the dashboard's workers, since pytest
shows every DeprecationWarning in its own process."""

import subprocess
import sys

from tests.commands.conftest import GERMAN_CSV
from tests.conftest import ROOT


def test_a_training_run_writes_no_library_warnings_about_calls_it_does_not_make(tmp_path):
    done = subprocess.run(
        [sys.executable, "-W", "default", "-m", "finmodels", "train", str(GERMAN_CSV), "--task", "credit_default",
         "--target", "creditability", "--members", "2", "--epochs", "3", "--seed", "0", "--no-workspace",
         "--out", str(tmp_path / "run.zip"), "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert '"roc_auc"' in done.stdout
    # before: one "structure of `inputs`" warning per batch size shap used, and 100 pandas deprecations from optbinning
    assert "The structure of `inputs` doesn't match" not in done.stderr
    assert "site-packages/optbinning" not in done.stderr

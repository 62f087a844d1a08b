"""The layering rules of STYLE.md: finmodels never imports streamlit; pages never import the model stack."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MODEL_STACK = {"keras", "tensorflow", "shap", "sklearn"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", sorted((ROOT / "finmodels").rglob("*.py")), ids=lambda p: p.name)
def test_finmodels_never_imports_streamlit(path):
    assert "streamlit" not in imported_modules(path)


@pytest.mark.parametrize("path", [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")),
                                  *sorted((ROOT / "ui").glob("*.py"))], ids=lambda p: p.name)
def test_pages_never_import_the_model_stack(path):
    assert not imported_modules(path) & MODEL_STACK


def test_home_page_modules_do_not_load_tensorflow():
    code = ("import sys; import finmodels.data.samples, finmodels.data.reading, finmodels.data.tasks, finmodels.data.targets, "
            "finmodels.models.architectures, finmodels.models.training; print('tensorflow' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"

"""The layering rules of ../shared/STYLE.md: finmodels never imports streamlit; pages never import the model stack;
every stage has a front; the web side never loads TensorFlow."""

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


STAGES = sorted(p.parent for p in (ROOT / "finmodels").glob("*/__init__.py"))


@pytest.mark.parametrize("package", STAGES, ids=lambda p: p.name)
def test_every_stage_has_a_front_that_says_what_it_does_and_names_what_it_offers(package):
    import importlib

    module = importlib.import_module(f"finmodels.{package.name}")
    assert module.__doc__ and len(module.__doc__.split()) >= 15, f"{package.name}/__init__.py needs a docstring"
    assert module.__all__, f"{package.name}/__init__.py needs an __all__"
    missing = [name for name in module.__all__ if not hasattr(module, name)
               and not (package / f"{name}.py").exists()]
    assert missing == [], f"{package.name}.__all__ names what does not exist: {missing}"


def test_only_a_handful_of_modules_stay_at_the_top_of_finmodels():
    top = sorted(p.name for p in (ROOT / "finmodels").glob("*.py"))
    assert set(top) <= {"__init__.py", "__main__.py", "errors.py"}, top


def test_the_style_guide_the_rules_come_from_exists():
    assert (ROOT.parent / "shared" / "STYLE.md").exists() or (ROOT / "STYLE.md").exists()


def test_the_web_side_never_imports_the_model_stack_even_indirectly():
    """Importing every ui module (and what they import from finmodels) loads no TensorFlow, Keras or shap."""
    code = ("import sys, importlib, pathlib; sys.path.insert(0, '.'); "
            "[importlib.import_module('ui.' + p.stem) for p in sorted(pathlib.Path('ui').glob('*.py'))]; "
            "print(sorted(m for m in ('tensorflow', 'keras', 'shap') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"

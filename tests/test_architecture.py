"""The layers of the apps hold (the import contract in pyproject.toml), and the contract catches
a new upward import: `make lint` would fail on it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def test_the_apps_import_only_downward():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Apps import only downward KEPT" in result.stdout


def _tree_with(tmp_path: Path, module: str, source: str) -> Path:
    """A copy of the project's code with one more module."""
    shutil.copytree(ROOT / "mashang", tmp_path / "mashang", ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / Path(*module.split("."))).with_suffix(".py").write_text(source)
    return tmp_path


def test_an_upward_import_breaks_the_contract(tmp_path):
    tree = _tree_with(
        tmp_path, "mashang.notify.sweeping", "from mashang.supervision.services import supervision_sweep\n"
    )
    result = _lint_imports(tree)
    assert result.returncode != 0
    assert "mashang.notify is not allowed to import mashang.supervision" in result.stdout
    assert "mashang.notify.sweeping -> mashang.supervision.services" in result.stdout


def test_an_import_across_independent_apps_breaks_the_contract(tmp_path):
    tree = _tree_with(
        tmp_path, "mashang.projects.scoring", "from mashang.supervision.scorecards import formulas\n"
    )
    result = _lint_imports(tree)
    assert result.returncode != 0
    assert "mashang.projects is not allowed to import mashang.supervision" in result.stdout

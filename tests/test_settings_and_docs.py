"""Configuration is documented, and production refuses an unsafe one."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _env_names_read_in_config() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "config").rglob("*.py"):
        names |= set(re.findall(r"env_(?:str|bool|int|list)\(\s*\"([A-Z_]+)\"", path.read_text()))
    return names


def test_every_environment_variable_is_documented():
    documented = (ROOT / "docs" / "configuration.md").read_text()
    names = _env_names_read_in_config()
    assert "DATABASE_URL" in names and "SECRET_KEY" in names
    missing = sorted(n for n in names if f"`{n}`" not in documented)
    assert missing == []


def test_every_command_is_documented():
    documented = (ROOT / "docs" / "cli.md").read_text()
    commands = {p.stem for p in ROOT.glob("mashang/*/management/commands/*.py") if not p.stem.startswith("_")}
    missing = sorted(c for c in commands if f"mashang {c}" not in documented)
    assert missing == []


def _start_django(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "ALLOWED_HOSTS"}}
    clean.update(env, DJANGO_SETTINGS_MODULE="config.settings.base")
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60,
    )


def test_production_refuses_the_default_secret_key():
    result = _start_django(MASHANG_ENV="production")
    assert result.returncode != 0
    assert "refuses to start in production" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_debug_and_wildcard_hosts():
    result = _start_django(MASHANG_ENV="production", SECRET_KEY="x" * 50, DEBUG="1", ALLOWED_HOSTS="*")
    assert result.returncode != 0
    assert "DEBUG must be off" in result.stderr and "ALLOWED_HOSTS" in result.stderr


def test_production_starts_with_a_safe_configuration():
    result = _start_django(
        MASHANG_ENV="production", SECRET_KEY="k" * 50, ALLOWED_HOSTS="mashang.example.gov.cn"
    )
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_a_malformed_boolean_is_refused_with_its_name():
    result = _start_django(DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be one of" in result.stderr


def test_every_demand_action_and_status_is_documented():
    from mashang.demands.models import Status
    from mashang.demands.transitions import MOVES

    documented = (ROOT / "docs" / "domain.md").read_text()
    missing = sorted(name for name in [*MOVES, *Status.values] if f"`{name}`" not in documented)
    assert missing == []


def test_the_readme_lists_every_demo_unit():
    from mashang.demo.reference import UNITS

    readme = (ROOT / "README.md").read_text()
    missing = sorted(u.code for u in UNITS if f"| `{u.code}` |" not in readme)
    assert missing == []


def test_every_message_has_its_chinese_translation():
    po = ROOT / "mashang" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", os.devnull, str(po)],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr

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
        text = path.read_text()
        names |= set(re.findall(r"env_(?:str|bool|int|list|secret)\(\s*\"([A-Z_]+)\"", text))
        # A secret may come from a file instead: NAME_FILE is read too.
        names |= {f"{n}_FILE" for n in re.findall(r"env_secret\(\s*\"([A-Z_]+)\"", text)}
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


# --- deploy/: the production environment, nginx and the systemd units (docs/deploy.md) --------

#: What a production zone must set: without one of these it refuses to start, runs without its
#: worker's broker, links to nowhere, or sees every client at the proxy's address.
REQUIRED_IN_PRODUCTION = (
    "MASHANG_ENV", "SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "MASHANG_BASE_URL",
    "DATABASE_URL", "MASHANG_BROKER_URL", "MASHANG_DATA_DIR", "MASHANG_PROXY_COUNT",
)


def _example_env() -> tuple[dict[str, str], set[str]]:
    """The example's settings (NAME=value) and the names it suggests in comments (# NAME=value)."""
    text = (ROOT / "deploy" / "mashang.env.example").read_text()
    values = dict(re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", text, re.M))
    suggested = set(re.findall(r"^#\s*([A-Z][A-Z0-9_]*)=", text, re.M))
    return values, suggested


def test_the_production_environment_example_is_documented_and_complete():
    documented = (ROOT / "docs" / "configuration.md").read_text()
    values, suggested = _example_env()
    assert sorted(n for n in {*values, *suggested} if f"`{n}`" not in documented) == []
    assert [n for n in REQUIRED_IN_PRODUCTION if n not in values] == []
    assert values["MASHANG_ENV"] == "production"


def test_the_production_environment_example_starts_once_its_secret_is_filled_in():
    values, _ = _example_env()
    assert values["SECRET_KEY"] == ""  # no secret is shipped
    result = _start_django(**{**values, "SECRET_KEY": "s" * 50})
    assert result.returncode == 0, result.stderr


def test_nginx_takes_the_largest_request_mashang_takes():
    from mashang.api.limits import upload_limit_bytes
    from mashang.core.files import MAX_BYTES, MAX_FILES

    conf = (ROOT / "deploy" / "nginx" / "mashang.conf").read_text()
    mebibytes = int(re.search(r"^\s*client_max_body_size (\d+)m;", conf, re.M).group(1))
    largest = MAX_FILES * MAX_BYTES + upload_limit_bytes()
    assert mebibytes == -(-largest // (1024 * 1024))
    # The proxy says the request came over TLS, and appends the client to X-Forwarded-For
    # (MASHANG_PROXY_COUNT=1 in the example).
    assert "proxy_set_header X-Forwarded-Proto https;" in conf
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in conf


def _exec_start(unit: str) -> list[str]:
    """The words of a unit's ExecStart=, its continued lines joined."""
    line = unit.split("ExecStart=", 1)[1].replace("\\\n", " ").split("\n", 1)[0]
    return line.split()


def test_one_unit_runs_beat_and_every_unit_reads_the_environment_file():
    units = {p.name: p.read_text() for p in (ROOT / "deploy" / "systemd").glob("*.service")}
    assert {"mashang-web@.service", "mashang-worker.service", "mashang-beat.service"} <= set(units)
    with_beat = sorted(n for n, text in units.items() if {"beat", "--beat", "-B"} & set(_exec_start(text)))
    assert with_beat == ["mashang-beat.service"]
    assert _exec_start(units["mashang-web@.service"])[1:3] == ["config.wsgi:application", "--bind"]
    assert all("EnvironmentFile=/etc/mashang/mashang.env" in text for text in units.values())

"""deploy/: the production settings pass `check --deploy`, and the compose file and systemd units
agree with the settings (every variable they set is one the MES documents)."""

import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from tests.fresh_process import manage_py

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"


def _env_file(path: Path) -> dict[str, str]:
    pairs = re.findall(r"^([A-Z_]+)=(.*)$", path.read_text(), re.M)
    return dict(pairs)


def _documented() -> set[str]:
    return set(_env_file(DEPLOY / "env.example"))


def _check_deploy(production: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    """`manage.py check --deploy` in a fresh process with these production settings."""
    unwanted = ("DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if not k.startswith(unwanted)}
    env.update(production, MES_VAR_DIR=str(tmp_path), STATIC_ROOT=str(tmp_path / "static"))
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_the_documented_production_settings(tmp_path):
    production = _env_file(DEPLOY / "production.env.example")
    assert production["DEBUG"] == "false"
    placeholders = [name for name, value in production.items() if "CHANGE-ME" in value]
    assert {"SECRET_KEY", "METRICS_TOKEN", "POSTGRES_PASSWORD"} <= set(placeholders)
    for name in placeholders:  # what the file tells the plant to do
        production[name] = secrets.token_urlsafe(64)
    production["MES_AUDIT_KEYS"] = f"{production['MES_AUDIT_KEY_ID']}:{secrets.token_urlsafe(48)}"
    result = _check_deploy(production, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_the_placeholder_audit_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DEBUG"}
    env.update(_env_file(DEPLOY / "production.env.example"), MES_VAR_DIR=str(tmp_path))
    env["SECRET_KEY"] = secrets.token_urlsafe(64)
    result = manage_py(env, "check")
    assert result.returncode != 0
    assert "MES_AUDIT_KEYS holds a public or placeholder key" in result.stderr


def test_check_deploy_fails_on_the_change_me_placeholders_of_the_example_file(tmp_path):
    # given deploy/production.env.example copied as it is, CHANGE-ME values and all, but for the
    # audit key: a placeholder there stops the settings from loading at all (the test above)
    production = _env_file(DEPLOY / "production.env.example")
    production["MES_AUDIT_KEYS"] = f"{production['MES_AUDIT_KEY_ID']}:{secrets.token_urlsafe(48)}"
    # when
    result = _check_deploy(production, tmp_path)
    # then each placeholder is an error, named but never echoed
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if "(mes.E002)" in line]
    assert [line.split(") ", 1)[1] for line in errors] == [
        f"{name} still holds a CHANGE-ME placeholder."
        for name in ("MES_APP_DB_PASSWORD", "METRICS_TOKEN", "POSTGRES_PASSWORD", "SECRET_KEY")
    ]
    assert "CHANGE-ME-to-50" not in result.stdout + result.stderr


def test_check_deploy_fails_on_the_development_secret_key(tmp_path):
    production = {
        "DEBUG": "false",
        "SECRET_KEY": "dev-only-insecure-key-do-not-use-in-production",
        "MES_AUDIT_KEYS": f"k1:{secrets.token_urlsafe(48)}",
    }
    result = _check_deploy(production, tmp_path)
    assert result.returncode != 0
    assert "(mes.E001) SECRET_KEY is the development key, which is public." in result.stderr


def test_production_settings_refuse_to_start_without_a_secret_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(DEBUG="false", MES_VAR_DIR=str(tmp_path))
    result = manage_py(env, "check")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_every_variable_the_deploy_files_set_is_documented():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    used = set(_env_file(DEPLOY / "production.env.example"))
    for service in compose["services"].values():
        used |= set((service.get("environment") or {}).keys())
    for unit in (DEPLOY / "systemd").glob("*.service"):
        assert "EnvironmentFile=/etc/mes/production.env" in unit.read_text(), unit.name
    # Compose's own (POSTGRES_*) configure the database image, not the MES.
    assert {v for v in used if not v.startswith("POSTGRES_")} - _documented() == set()


def test_compose_file_wires_every_role(tmp_path):
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    roles = {"db", "redis", "migrate", "web", "worker", "ingest-line1", "bridge", "simulator"}
    assert roles <= set(services)
    assert services["simulator"]["profiles"] == ["simulator"]
    commands = {name: " ".join(s.get("command") or []) for name, s in services.items()}
    assert "celery -A mes worker" in commands["worker"]
    assert "run_bridge" in commands["bridge"] and "--queue ingest.line1" in commands["bridge"]
    # The bridge's queue has exactly one consumer process (batches are stored in order); the
    # shared queue's workers do not take from it.
    consumers = [name for name, c in commands.items() if "-Q" in c and "ingest.line1" in c]
    assert consumers == ["ingest-line1"]
    assert "--concurrency 1" in commands["ingest-line1"]
    assert "ingest.line1" not in commands["worker"]
    # Each worker container checks its own node, not "some worker answered".
    for name in ("worker", "ingest-line1"):
        node = commands[name].split(" -n ")[1].split()[0].replace("%h", "$$HOSTNAME")
        assert services[name]["healthcheck"]["test"][-1].endswith(f"health worker --node {node}")
    # The deploy check runs before anything starts: a CHANGE-ME left in the env file stops it.
    assert commands["migrate"].index("manage.py check --deploy &&") < commands["migrate"].index(
        "manage.py migrate"
    )
    web_unit = (DEPLOY / "systemd" / "mes-web.service").read_text()
    starts = [line for line in web_unit.splitlines() if line.startswith("ExecStart")]
    assert starts[0] == "ExecStartPre=/opt/mes/.venv/bin/python manage.py check --deploy"
    unit = (DEPLOY / "systemd" / "mes-ingest@.service").read_text()
    assert "-Q ingest.%i" in unit and "--concurrency 1" in unit
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert "gunicorn mes.wsgi" in dockerfile.replace('", "', " ").replace('"', "")
    # The full check needs the docker compose plugin; the plain docker client has no `compose`.
    if shutil.which("docker") and _compose_cli():
        copy = tmp_path / "deploy"
        shutil.copytree(DEPLOY, copy)
        shutil.copy(copy / "production.env.example", copy / "production.env")
        result = subprocess.run(
            ["docker", "compose", "-f", str(copy / "compose.yaml"), "config", "--quiet"],
            env={**os.environ, "POSTGRES_PASSWORD": "x"},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr


def _compose_cli() -> bool:
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=30)
    return probe.returncode == 0


def test_the_placeholder_check_reads_settings_and_the_environment(settings, monkeypatch):
    """Whatever the secret is called and wherever it comes from, a placeholder is named (the
    case does not matter), and the development key is refused."""
    from mes.checks import secrets_are_not_placeholders

    settings.METRICS_TOKEN = "change-me-later"
    monkeypatch.setenv("OPCUA_PASSWORD", "CHANGE-ME")
    found = [(error.id, error.msg) for error in secrets_are_not_placeholders()]
    assert found == [
        ("mes.E001", "SECRET_KEY is the development key, which is public."),
        ("mes.E002", "METRICS_TOKEN still holds a CHANGE-ME placeholder."),
        ("mes.E002", "OPCUA_PASSWORD still holds a CHANGE-ME placeholder."),
    ]
    settings.METRICS_TOKEN = "a-real-token"
    settings.SECRET_KEY = "x" * 60
    monkeypatch.delenv("OPCUA_PASSWORD")
    assert secrets_are_not_placeholders() == []

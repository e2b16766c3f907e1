"""Every environment variable the settings and the bridge read is documented in deploy/env.example."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_env_var_read_by_settings_is_documented():
    sources = [ROOT / "mes" / "settings.py", *(ROOT / "opcua_bridge" / "bridge").glob("*.py")]
    source = "\n".join(path.read_text() for path in sources)
    read = set(re.findall(r'env_\w+\(\s*"([A-Z_]+)"', source))
    read |= set(re.findall(r'environ\.get\(\s*"([A-Z_]+)"', source))
    documented = set(re.findall(r"^([A-Z_]+)=", (ROOT / "deploy/env.example").read_text(), re.M))
    assert read, "the settings read no env vars? the pattern is stale"
    assert read - documented == set()


def _settings_in_a_fresh_process(env: dict[str, str], *names: str) -> subprocess.CompletedProcess:
    code = f"from django.conf import settings; print(*(getattr(settings, n) for n in {names!r}))"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "mes.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_debug_is_off_when_the_environment_does_not_set_it(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DEBUG"}
    env.update(
        SECRET_KEY=secrets.token_urlsafe(64),
        MES_AUDIT_KEYS=f"k1:{secrets.token_urlsafe(48)}",  # production needs its own audit key
        MES_VAR_DIR=str(tmp_path),
    )
    result = _settings_in_a_fresh_process(env, "DEBUG", "SECURE_SSL_REDIRECT")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True"]


def test_make_runs_its_recipes_with_debug_on_unless_the_caller_sets_it(tmp_path):
    """`make demo` and `make test` work on a fresh machine with nothing set: the Makefile sets
    DEBUG=1 for its recipes (checked with a probe recipe added to the real Makefile)."""
    probe = tmp_path / "probe.mk"
    probe.write_text('probe:\n\t@echo "DEBUG=$$DEBUG"\n')
    env = {k: v for k, v in os.environ.items() if k != "DEBUG"}

    def run(extra: dict[str, str]) -> str:
        command = ["make", "-s", "-f", "Makefile", "-f", str(probe), "probe"]
        done = subprocess.run(
            command, cwd=ROOT, env={**env, **extra}, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    assert run({}) == "DEBUG=1"
    assert run({"DEBUG": "false"}) == "DEBUG=false"

"""Every environment variable the settings read is documented in deploy/env.example."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_env_var_read_by_settings_is_documented():
    source = (ROOT / "mes" / "settings.py").read_text()
    read = set(re.findall(r'env_\w+\(\s*"([A-Z_]+)"', source))
    documented = set(re.findall(r"^([A-Z_]+)=", (ROOT / "deploy/env.example").read_text(), re.M))
    assert read, "the settings read no env vars? the pattern is stale"
    assert read - documented == set()

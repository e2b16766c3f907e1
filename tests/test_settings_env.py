"""Every environment variable the settings and the bridge read is documented in deploy/env.example."""

import re
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

"""Development settings for the test suite, loaded by pytest before Django reads its settings
(pyproject: `addopts = "-p tests.dev_env"`).

DEBUG is off unless set (mes/settings.py), and the suite is a developer's run: it needs the dev
defaults (the dev secret key, no HTTPS redirect, plain static files). A conftest.py would come too
late: pytest-django loads the settings before any conftest. It is set, not defaulted, so that a
shell with DEBUG=false exported still runs the suite as written; the processes the tests start
(Celery workers, the bridge, the simulator) inherit it. Tests of production settings set
DEBUG=false themselves (tests/test_deploy.py, tests/test_production_stack.py).
"""

import os

os.environ["DEBUG"] = "1"

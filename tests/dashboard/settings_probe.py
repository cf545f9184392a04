"""What the settings come to in a fresh process with this environment: settings are read
once, at start, so a test of an environment variable asks a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.dashboard.test_deploy_check import ROOT, _production_env


def settings_probe(tmp_path: Path, expression: str, **environment: str):
    """``expression`` (Python, with ``settings`` and ``knobs``, the sandbox's, at hand)
    evaluated under DEBUG with ``environment``, as JSON."""
    env = _production_env(
        DJANGO_DEBUG="true", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", **environment
    )
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "from willo_integration.sandbox import knobs; "
        f"print(json.dumps({expression}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])

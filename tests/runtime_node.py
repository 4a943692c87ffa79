"""The learner's runtime under node, without a browser (tests/contract/engine.js)."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
RUNTIME = HERE.parent / "generator" / "package" / "runtime"


def run(jobs: list[dict], runtime: Path = RUNTIME) -> list[dict]:
    """Each job's result, all in one node process."""
    node = shutil.which("node")
    assert node, "node is needed to run the runtime's engine"
    done = subprocess.run([node, str(HERE / "contract" / "engine.js"), str(runtime)], input=json.dumps(jobs),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)

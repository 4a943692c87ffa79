"""Stand-in for the compiler's packaging step: course JSON + runtime -> a launchable folder.

Only ``render_package`` is meant to be used by tests; swap its body for the
compiler's build once that exists, the tests stay as they are.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from generator.package.render import launch_page

REPO = Path(__file__).resolve().parents[2]
RUNTIME = REPO / "generator" / "package" / "runtime"


def runtime_manifest() -> dict:
    return json.loads((RUNTIME / "manifest.json").read_text(encoding="utf-8"))


def course_json(course: dict) -> str:
    # Every "<" escaped: the JSON can then neither close its <script> element nor open a
    # "<!--" that would change how the HTML parser reads the rest of the page.
    return json.dumps(course, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def render_package(course: dict, out_dir: str | Path) -> Path:
    """Writes index.html and runtime/* into out_dir; returns the launch file's path."""
    out = Path(out_dir)
    (out / "runtime").mkdir(parents=True, exist_ok=True)
    manifest = runtime_manifest()
    for name in manifest["scripts"] + manifest["styles"]:
        shutil.copyfile(RUNTIME / name, out / "runtime" / name)
    labels = course.get("labels", {})
    # As the compiler does: the words the page needs before (or without) the course JSON.
    html = launch_page(course["title"], course.get("language", "en"), course_json(course),
                       ["runtime/" + n for n in manifest["scripts"]], ["runtime/" + n for n in manifest["styles"]],
                       direction=course.get("dir", "ltr"), no_script=labels.get("noScript", ""),
                       startup_error=labels.get("errorStartup", ""))
    (out / "index.html").write_text(html, encoding="utf-8")
    return out / "index.html"

"""Stand-in for the compiler's packaging step: course JSON + runtime -> a launchable folder.

Only ``render_package`` is meant to be used by tests; swap its body for the
compiler's build once that exists, the tests stay as they are.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from jinja2 import Environment, FileSystemLoader

REPO = Path(__file__).resolve().parents[2]
RUNTIME = REPO / "generator" / "package" / "runtime"
TEMPLATES = REPO / "generator" / "package" / "templates"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-src 'none'"
)


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
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True)
    html = env.get_template("index.html.j2").render(
        title=course["title"],
        lang=course.get("language", "en"),
        dir=course.get("dir", "ltr"),
        csp=CSP,
        # As the compiler does: the words the page needs before (or without) the course JSON.
        no_script=course.get("labels", {}).get("noScript", ""),
        startup_error=course.get("labels", {}).get("errorStartup", ""),
        course_json=course_json(course),
        runtime_scripts=["runtime/" + n for n in manifest["scripts"]],
        runtime_styles=["runtime/" + n for n in manifest["styles"]],
    )
    (out / "index.html").write_text(html, encoding="utf-8")
    return out / "index.html"

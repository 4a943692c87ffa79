"""Child process of the bench: where a build's time goes, stage by stage.

usage: stages_probe.py COURSE_DIR  -> one JSON line on stdout

Follows generator/build.py's `build()` step by step with timers (load, analyse,
validate, render, package both SCORM versions) and counts the Markdown spans
rendered, without writing anything. Also times the analysis the branch walks
use (`coverage_paths`), which `build` does not run.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generator.check import analysis, state, validate  # noqa: E402
from generator.package import archive, render  # noqa: E402
from generator.source import loader  # noqa: E402
from generator.diagnostics import Diagnostics  # noqa: E402
from generator.model import Scenario  # noqa: E402


def main(course_dir: str, with_coverage: bool) -> None:
    clock = time.process_time  # CPU seconds of this process: other load on the machine stays out
    times: dict[str, float] = {}
    started = clock()
    diags = Diagnostics()
    course = loader.load_course(loader.find_course_file(course_dir), diags)
    images = getattr(loader, "check_images", None) or getattr(loader, "missing_images", None)
    if images:  # the name changed once already; the stage is small either way
        images(course, diags)
    times["load+parse"] = clock() - started

    mark = clock()
    analyses = {m.id: analysis.analyse(m) for m in course.modules if isinstance(m, Scenario)}
    times["analyse"] = clock() - mark

    mark = clock()
    validate.validate(course, analyses, diags)
    state.worst_case(course, analyses)
    times["validate"] = clock() - mark

    calls = {"n": None}
    html = getattr(render, "_Html", None)  # the Markdown → HTML converter, one call per span
    if html is not None:
        calls["n"] = 0
        original = html.__call__

        def counting(self, *args, **kwargs):
            calls["n"] += 1
            return original(self, *args, **kwargs)

        html.__call__ = counting
    mark = clock()
    rendered = render.render(course, analyses)
    times["render"] = clock() - mark
    if html is not None:
        html.__call__ = original

    mark = clock()
    sizes = {}
    for fmt in ("scorm12", "scorm2004"):
        sizes[fmt] = len(archive.zip_bytes(archive.scorm_files(course, fmt, rendered.files)))
    times["package"] = clock() - mark

    if with_coverage:
        mark = clock()
        walks = sum(len(analysis.coverage_paths(found)) for found in analyses.values())
        times["coverage_paths"] = clock() - mark
    else:
        walks = None
    print(json.dumps({"times": times, "markdown_spans": calls["n"], "coverage_walks": walks,
                      "index_html": len(rendered.files["index.html"]), "zips": sizes,
                      "errors": len(diags.errors) if hasattr(diags, "errors") else None}))


if __name__ == "__main__":
    main(sys.argv[1], "--coverage" in sys.argv[2:])

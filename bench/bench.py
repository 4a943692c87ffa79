"""coursegen bench: build time, scaling, analysis, package size, the learner's side and
resume state, side by side with inkle's ink. Prints a table, writes bench/results.md,
exits 0 when every budget passes and 1 otherwise.

Run it through bench/run.sh (which installs what it needs first).
"""
from __future__ import annotations

import argparse
import datetime
import gzip
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import measure  # noqa: E402
import synth  # noqa: E402
import walks_bench  # noqa: E402
from measure import Series  # noqa: E402

PY = str(ROOT / ".venv" / "bin" / "python")
COURSEGEN = str(ROOT / ".venv" / "bin" / "coursegen")
FLAGSHIP = ROOT / "course" / "course.yaml"
INKJS = BENCH / "node_modules" / "inkjs"
INK_COMPILER = INKJS / "bin" / "inkjs-compiler.js"
INK_RUNTIME = INKJS / "dist" / "ink.js"  # runtime only (no compiler), minified UMD bundle
INK_FULL = INKJS / "dist" / "ink-full.js"  # compiler + runtime, for reference

SECTIONS = ("build", "scaling", "analysis", "coverage", "ink", "learner", "lms", "broken", "cold", "walks")

# (scenario nodes, questions in the quiz pool)
SIZES = [(10, 10), (100, 50), (1000, 500), (10000, 5000)]

# Budgets. Never loosen one to make it pass. KB and MB are read the strict way (10^3, 10^6).
RUNTIME_MAX = 100_400  # bytes of runtime JS + CSS in the flagship package (60,000 before issue 16, 80,000 before 19: see README)
RUNTIME_GZ_MAX = 33_000  # the same gzipped, what a learner's browser downloads (25,000 before 18, 27,000 before 19: see README)
PEAK_MAX = 300_000_000  # bytes of peak RSS building the 10,000-node course
PATHOLOGICAL_MAX = 2.0  # seconds for analyse + coverage_paths on 30 sequential two-way choices
SUSPEND_MAX = 1.5  # suspend_data characters per decision
INK_RUNTIME_SHARE = 0.78  # our readable runtime under 0.78 of ink's minified one (0.5 before issue 16, 0.6 before 19)
INK_FASTER_FROM = 1000  # nodes from which our build must beat inkjs's compile
COMMITS_OVER_MODULES = 2  # Commits per walk: at most the number of modules, plus this
FINAL_WRITE_MAX = 62 * 1024  # bytes of the final write (Terminate's beacon): Chromium's 64 KiB less Moodle's own fields


def kb(n: float | None) -> str:
    return "n/a" if n is None else f"{n / 1000:,.1f} KB"


def mb(n: float | None) -> str:
    return "n/a" if n is None else f"{n / 1e6:,.1f} MB"


def secs(s: float | None) -> str:
    if s is None:
        return "n/a"
    return f"{s * 1000:,.0f} ms" if s < 1 else f"{s:,.2f} s"


def ms(v: float | None) -> str:
    return "n/a" if v is None else f"{v:,.0f} ms"


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


@dataclass
class Budget:
    name: str
    measured: str
    limit: str
    ok: bool


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)
    budgets: list[Budget] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def section(self, title: str, note: str | None = None) -> None:
        self.lines += ["", f"## {title}", ""]
        if note:
            self.lines += [note, ""]

    def table(self, header: list[str], rows: list[list]) -> None:
        self.lines.append("| " + " | ".join(header) + " |")
        self.lines.append("|" + "|".join(" --- " for _ in header) + "|")
        for row in rows:
            self.lines.append("| " + " | ".join(str(c) for c in row) + " |")

    def text(self, *lines: str) -> None:
        self.lines += list(lines)

    def budget(self, name: str, measured: str, limit: str, ok: bool) -> None:
        self.budgets.append(Budget(name, measured, limit, bool(ok)))
        status = "PASS" if ok else "FAIL"
        print(f"  [{status}] {name}: {measured} (budget {limit})", flush=True)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- machine ------------------------------------------------------------------------

def machine() -> dict:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            mem = int(line.split()[1]) * 1024
    def out(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout.strip()
        except Exception:
            return "n/a"
    chromium = re.search(r"Chromium [\d.]+", out(["/usr/bin/chromium", "--version"]))
    git_env = dict(os.environ, GIT_OPTIONAL_LOCKS="0")  # read-only: no index refresh
    commit = out(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"])
    try:
        changed = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "generator"],
                                 capture_output=True, text=True, env=git_env, timeout=30).stdout.split("\n")
        changed = len([c for c in changed if c.strip()])
    except Exception:
        changed = "n/a"
    try:
        from importlib.metadata import version
        pw = version("playwright")
    except Exception:
        pw = "n/a"
    ink_version = json.loads((INKJS / "package.json").read_text())["version"] if INKJS.exists() else "n/a"
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu, "cores": os.cpu_count(), "memory": f"{mem / 2**30:.1f} GiB",
        "python": platform.python_version(), "chromium": chromium.group(0) if chromium else "n/a",
        "node": out(["node", "--version"]), "inkjs": ink_version, "playwright": pw,
        "commit": commit, "changed": changed, "load_start": os.getloadavg(),
    }


# --- builds -------------------------------------------------------------------------

def build_series(course: Path, out: Path, runs: int, warmup: bool = True) -> Series:
    cmd = [COURSEGEN, "build", str(course), "--out", str(out)]
    if warmup:
        measure.run(cmd)
    series = Series()
    for _ in range(runs):
        series.add(measure.run(cmd))
    return series


def state_bound(stdout: str) -> int | None:
    found = re.search(r"resume state at most (\d+) characters", stdout)
    return int(found.group(1)) if found else None


# --- sections -----------------------------------------------------------------------

def flagship(report: Report, tmp: Path, runs: int) -> dict:
    log("flagship: building course/course.yaml")
    out = tmp / "flagship"
    series = build_series(FLAGSHIP, out, runs)
    zips = sorted(out.glob("*.zip"))
    report.section("Build: flagship course", "`.venv/bin/coursegen build course/course.yaml` (check + render + "
                   f"SCORM 1.2 and 2004 zips), {runs} runs as whole processes after one warm-up run; medians.")
    report.table(["what", "value"], [
        ["build time, wall (median)", secs(series.wall)],
        ["build time, CPU user+sys (median)", secs(series.cpu)],
        ["runs (wall)", ", ".join(secs(r.wall) for r in series.runs)],
        ["peak RSS", mb(series.rss)],
        ["worst-case resume state (compiler)", f"{state_bound(series.runs[-1].stdout)} characters"],
    ])
    return {"series": series, "zips": zips, "out": out}


def package(report: Report, built: dict) -> dict:
    log("package: sizes")
    manifest = json.loads((ROOT / "generator" / "package" / "runtime" / "manifest.json").read_text())
    own = {name: (ROOT / "generator" / "package" / "runtime" / name).read_bytes()
           for name in manifest.get("scripts", []) + manifest.get("styles", [])}
    rows, runtime_raw, runtime_gz, foreign, files = [], 0, 0, [], {}
    for path in built["zips"]:
        rows.append([f"`{path.name}`", kb(path.stat().st_size), ""])
    scorm12 = next(p for p in built["zips"] if p.name.endswith("-scorm12.zip"))
    with zipfile.ZipFile(scorm12) as archive:
        for name in archive.namelist():
            files[name] = archive.read(name)
    js = {n: d for n, d in files.items() if n.endswith((".js", ".mjs"))}
    css = {n: d for n, d in files.items() if n.endswith(".css")}
    for name, data in sorted({**js, **css}.items()):
        rows.append([f"`{name}`", kb(len(data)), kb(gz(data))])
        runtime_raw += len(data)
        runtime_gz += gz(data)
        if name == "runtime/theme.css":
            continue  # the compiler writes it from the course's theme: counted, but nobody's code
        if Path(name).name not in own or own[Path(name).name] != data:
            foreign.append(name)
    js_raw = sum(len(d) for d in js.values())
    css_raw = sum(len(d) for d in css.values())
    html = files.get("index.html", b"").decode("utf-8", "replace")
    refs = re.findall(r'<script[^>]*\bsrc="([^"]+)"', html) + re.findall(r'<link[^>]*\bhref="([^"]+)"', html)
    outside = [r for r in refs if not r.startswith("runtime/") and not r.startswith("data:")]
    rows += [["runtime JS total", kb(js_raw), kb(sum(gz(d) for d in js.values()))],
             ["runtime CSS total", kb(css_raw), kb(sum(gz(d) for d in css.values()))],
             ["**runtime JS + CSS**", f"**{kb(runtime_raw)}**", f"**{kb(runtime_gz)}**"],
             ["`index.html` (course JSON inside)", kb(len(files.get('index.html', b''))),
              kb(gz(files.get('index.html', b'')))]]
    report.section("Package: flagship course", "Sizes of the built zips, and of the runtime files inside the "
                   "SCORM 1.2 package, raw and gzipped (level 9).")
    report.table(["file", "raw", "gzipped"], rows)
    deps_ok = not foreign and not outside
    report.text("", f"JavaScript and CSS in the package that are not byte-identical to `generator/package/runtime/`: "
                f"{', '.join(foreign) or 'none'}; scripts or styles referenced from outside `runtime/`: "
                f"{', '.join(outside) or 'none'}.")
    report.budget("runtime JS + CSS of the flagship package", f"{runtime_raw:,} bytes ({kb(runtime_raw)})",
                  f"<= {RUNTIME_MAX:,} bytes", runtime_raw <= RUNTIME_MAX)
    report.budget("runtime JS + CSS of the flagship package, gzipped", f"{runtime_gz:,} bytes ({kb(runtime_gz)})",
                  f"<= {RUNTIME_GZ_MAX:,} bytes", runtime_gz <= RUNTIME_GZ_MAX)
    report.budget("no JavaScript dependency beyond the project's own runtime",
                  "none" if deps_ok else ", ".join(foreign + outside), "none", deps_ok)
    return {"runtime_raw": runtime_raw, "runtime_gz": runtime_gz, "js": js_raw, "css": css_raw}


def make_synthetic(tmp: Path, sizes) -> dict:
    log("synthetic: writing courses and ink files")
    made = {}
    for nodes, questions in sizes:
        full = synth.write_course(tmp / "synthetic" / f"course-{nodes}", nodes, questions, f"synthetic-{nodes}")
        alone = synth.write_course(tmp / "synthetic" / f"scenario-{nodes}", nodes, None, f"scenario-{nodes}")
        ink = synth.write_ink(tmp / "ink" / f"scenario-{nodes}.ink", nodes)
        source = sum(p.stat().st_size for p in full.parent.glob("*.md"))
        made[nodes] = {"full": full, "alone": alone, "ink": ink, "questions": questions, "source": source}
    return made


def scaling(report: Report, tmp: Path, made: dict, runs_for) -> dict:
    results = {}
    for nodes, info in made.items():
        runs = runs_for(nodes)
        log(f"scaling: {nodes} nodes, {info['questions']} questions, {runs} runs")
        out = tmp / "out" / f"course-{nodes}"
        series = build_series(info["full"], out, runs, warmup=nodes <= 1000)
        stages = None
        try:
            stage_run = measure.run([PY, str(BENCH / "stages_probe.py"), str(info["full"].parent), "--coverage"],
                                    timeout=300)
            stages = json.loads(stage_run.stdout.strip().splitlines()[-1])
        except Exception as problem:  # a diagnostic only: the table says n/a
            report.problems.append(f"stage probe at {nodes} nodes: {problem}")
        results[nodes] = {"series": series, "out": out, "stages": stages, **info}
    sizes = list(results)
    rows = []
    for i, nodes in enumerate(sizes):
        r, prev = results[nodes], results[sizes[i - 1]] if i else None
        ratio = f"×{r['series'].cpu / prev['series'].cpu:.2f} (nodes ×{nodes / sizes[i - 1]:.0f})" if prev else ""
        wall_ratio = f"×{r['series'].wall / prev['series'].wall:.2f}" if prev else ""
        rows.append([f"{nodes:,}", f"{r['questions']:,}", kb(r["source"]), secs(r["series"].wall),
                     secs(r["series"].cpu), ratio, wall_ratio, mb(r["series"].rss),
                     f"{len(r['series'].runs)}", state_bound(r["series"].runs[-1].stdout)])
    report.section("Scaling: synthetic courses", "Each course: one layered scenario (first module) and a quiz "
                   "pool (`draw: 10`, `shuffle`, 2 attempts), generated by `bench/synth.py` into a temp folder. "
                   "`coursegen build` as whole processes; medians; peak RSS = `ru_maxrss` of each fresh process "
                   "(`os.wait4`), the largest over the runs.")
    report.table(["nodes", "questions", "source", "build wall", "build CPU", "CPU ratio to previous",
                  "wall ratio", "peak RSS", "runs", "resume state bound"], rows)
    stage_rows = []
    for nodes in sizes:
        s = results[nodes]["stages"]
        if not s:
            stage_rows.append([f"{nodes:,}"] + ["n/a"] * 10)
            continue
        t, spans = s["times"], s["markdown_spans"]
        total = sum(v for k, v in t.items() if k != "coverage_paths")
        stage_rows.append([f"{nodes:,}", secs(t["load+parse"]), secs(t["analyse"]), secs(t["validate"]),
                           secs(t["render"]), f"{100 * t['render'] / total:.0f}%",
                           f"{spans:,}" if spans else "n/a",
                           f"{1e6 * t['render'] / spans:,.0f} µs" if spans else "n/a",
                           secs(t["package"]), kb(s["index_html"]),
                           f"{secs(t.get('coverage_paths'))} ({s.get('coverage_walks')} walks)"])
    report.text("", "Where the CPU time goes (one in-process run of `bench/stages_probe.py`, which follows "
                "`build()` stage by stage; `coverage_paths` is what `coursegen test` plans its walks with, "
                "not part of `build`):", "")
    report.table(["nodes", "load+parse", "analyse", "validate", "render", "render share", "Markdown spans",
                  "render per span", "package (2 zips)", "index.html", "coverage_paths"], stage_rows)
    # Budget: at most linear, every pair of sizes, on CPU time (immune to other load on a shared machine).
    worst = None
    for i, a in enumerate(sizes):
        for b in sizes[i + 1:]:
            growth = results[b]["series"].cpu / results[a]["series"].cpu
            excess = growth / (b / a)
            if worst is None or excess > worst[0]:
                worst = (excess, a, b, growth)
    excess, a, b, growth = worst
    hundred = [(x, x * 100) for x in sizes if x * 100 in results]
    hundred_text = "; ".join(f"{x:,}→{y:,} nodes: CPU ×{results[y]['series'].cpu / results[x]['series'].cpu:.1f}, "
                             f"wall ×{results[y]['series'].wall / results[x]['series'].wall:.1f}"
                             for x, y in hundred)
    report.text("", f"100× the nodes: {hundred_text}.")
    report.budget("build time grows at most linearly (CPU time, worst pair of sizes)",
                  f"{a:,}→{b:,} nodes: ×{growth:.2f} time for ×{b / a:.0f} nodes", "time ratio <= node ratio",
                  excess <= 1.0)
    largest = max(sizes)
    report.budget(f"peak memory building the {largest:,}-node course", mb(results[largest]["series"].rss),
                  f"< {mb(PEAK_MAX)}", largest == 10000 and results[largest]["series"].rss < PEAK_MAX)
    return results


def pathological(report: Report, tmp: Path) -> None:
    log("analysis: 30 sequential two-way choices")
    source = tmp / "pathological" / "thirty-choices.md"
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_text(synth.pathological_markdown(30), encoding="utf-8")
    expected = synth.pathological_max(30)
    runs = []
    for _ in range(3):
        run = measure.run([PY, str(BENCH / "analysis_probe.py"), str(source)], timeout=60, check=False)
        if run.code != 0:
            runs.append({"error": run.stderr.strip().splitlines()[-1:] or [f"exit {run.code}"]})
            break
        runs.append(json.loads(run.stdout.strip().splitlines()[-1]))
    report.section("Analysis: 30 sequential two-way choices", "2^30 (over a billion) paths; one flag set at the "
                   "first decision and an `if=` choice at the last. `generator.analysis.analyse` then "
                   "`coverage_paths`, timed in a child process (killed after 60 s); median of 3.")
    if "error" in runs[-1]:
        report.text(f"failed: {runs[-1]['error']}")
        report.budget("30-choice pathological scenario analysed", "failed", f"< {PATHOLOGICAL_MAX} s", False)
        return
    total = measure.median(r["analyse_s"] + r["coverage_s"] for r in runs)
    r = runs[0]
    report.table(["what", "value"], [
        ["nodes / states (node × flags)", f"{r['nodes']} / {r['states']}"],
        ["maximum points (analysis / by hand)", f"{r['max_points']} / {expected}"],
        ["`analyse`, wall (CPU), median", f'{secs(measure.median(x["analyse_s"] for x in runs))} '
                                          f'({secs(measure.median(x["analyse_cpu_s"] for x in runs))})'],
        ["`coverage_paths`, wall (CPU), median", f'{secs(measure.median(x["coverage_s"] for x in runs))} '
                                                 f'({secs(measure.median(x["coverage_cpu_s"] for x in runs))})'],
        ["coverage walks", f"{r['paths']}, covering {r['choices_covered']}/{r['choices']} choices and "
                           f"{r['endings_covered']}/{r['endings']} endings"],
    ])
    right = r["max_points"] == expected and r["choices_covered"] == r["choices"] and r["endings_covered"] == r["endings"]
    report.budget("30-choice pathological scenario: analyse + coverage_paths", secs(total) +
                  ("" if right else " (WRONG RESULT)"), f"< {PATHOLOGICAL_MAX:.0f} s", right and total < PATHOLOGICAL_MAX)


def broken(report: Report, tmp: Path, sizes) -> None:
    """Not a budget: `coursegen check` on courses with one broken link per node (one error each)."""
    rows, previous = [], None
    for nodes in sizes:
        folder = tmp / "broken" / f"course-{nodes}"
        course = synth.write_course(folder, nodes, None, f"broken-{nodes}")
        text = (folder / "scenario.md").read_text()
        text = re.sub(r"^(- \[[^\]]+\]\(#)([^)]+)\)", r"\1\2-typo)", text, flags=re.M)  # every choice broken
        (folder / "scenario.md").write_text(text)
        log(f"errors: coursegen check, {nodes} nodes with every link broken")
        run = measure.run([COURSEGEN, "check", str(course)], timeout=60, check=False)
        errors = len(re.findall(r": error: ", run.stderr))
        killed = run.wall >= 60
        ratio = f"×{run.cpu / previous:.1f}" if previous and not killed else ""
        rows.append([f"{nodes:,}", f"{errors:,}" if not killed else "n/a", (">" if killed else "") + secs(run.wall),
                     secs(run.cpu), ratio])
        previous = run.cpu
        if killed:
            break
    report.section("Errors: `coursegen check` on broken courses (not a budget)",
                   "The scenario of each size with every choice's link misspelled (one error per choice), "
                   "so the report has as many errors as the course has choices. Killed after 60 s.")
    report.table(["nodes", "errors reported", "wall", "CPU", "CPU ratio to previous"], rows)


def ink(report: Report, tmp: Path, made: dict, pkg: dict, runs: int) -> None:
    runtime = INK_RUNTIME.read_bytes()
    full = INK_FULL.read_bytes()
    rows, results = [], {}
    for nodes, info in made.items():
        log(f"ink: {nodes} nodes, {runs} interleaved runs each")
        ours, theirs = Series(), Series()
        out = tmp / "out" / f"scenario-{nodes}"
        target = info["ink"].with_suffix(".json")
        # ink's warm-up (ours is warm from the scaling runs), and proof that ink got the same
        # scenario: its own count of knots and choices
        stats = measure.run(["node", str(INK_COMPILER), "-s", "-o", str(target), str(info["ink"])]).stdout
        counts = {k.lower(): int(v) for k, v in re.findall(r"^(\w+): (\d+)$", stats, re.M)}
        graph = synth.scenario_graph(nodes)
        if counts.get("knots") != len(graph) or counts.get("choices") != sum(len(n.choices) for n in graph):
            raise measure.Failed(f"the ink version of {nodes} nodes has {counts}, not {len(graph)} knots")
        for _ in range(runs):
            ours.add(measure.run([COURSEGEN, "build", str(info["alone"]), "--out", str(out)]))
            run = theirs.add(measure.run(["node", str(INK_COMPILER), "-o", str(target), str(info["ink"])]))
            if run.stderr.strip() or not target.exists():
                raise measure.Failed(f"inkjs did not compile {info['ink']}: {run.stderr[-1000:]}")
        results[nodes] = (ours, theirs)
        rows.append([f"{nodes:,}", kb(info["ink"].stat().st_size), secs(ours.wall), secs(theirs.wall),
                     f"{ours.cpu / theirs.cpu:.2f}", secs(ours.cpu), secs(theirs.cpu),
                     mb(ours.rss), mb(theirs.rss), kb(target.stat().st_size),
                     f"{kb(pkg['runtime_raw'])} / {kb(len(runtime))} = {pkg['runtime_raw'] / len(runtime):.2f}"])
    report.section("Side by side with inkle's ink (inkjs)",
                   f"The same scenario (same nodes, choices, points, flag and conditions) written in ink by "
                   f"`bench/synth.py`. Ours: `coursegen build` of a course holding only that scenario (check, "
                   f"render, both SCORM zips). Theirs: inkjs {json.loads((INKJS / 'package.json').read_text())['version']}'s "
                   f"compiler (`node node_modules/inkjs/bin/inkjs-compiler.js -o story.json story.ink`), .ink "
                   f"to story JSON. Whole processes, {runs} runs each, interleaved; medians. Build ratio = ours "
                   f"÷ theirs, on CPU time (user+sys of the whole process, node's helper threads included; "
                   f"below 1 = we are faster): on a shared 2-core machine the wall times of both swing with "
                   f"other load, the CPU times do not. Runtime: ours = runtime JS + CSS of the flagship "
                   f"package (the same at every size); theirs = `dist/ink.js`, inkjs's runtime-only bundle "
                   f"(already minified).")
    report.table(["nodes", ".ink source", "coursegen build (wall)", "inkjs compile (wall)", "build ratio (CPU)",
                  "coursegen CPU", "inkjs CPU", "coursegen peak RSS", "inkjs peak RSS", "ink story JSON",
                  "runtime ours / ink.js"], rows)
    report.text("", f"Runtime files compared: ours {pkg['runtime_raw']:,} bytes raw ({pkg['runtime_gz']:,} gzipped: "
                f"JS {pkg['js']:,} + CSS {pkg['css']:,}); inkjs `dist/ink.js` {len(runtime):,} bytes raw "
                f"({gz(runtime):,} gzipped); for reference inkjs `dist/ink-full.js` (compiler + runtime) "
                f"{len(full):,} bytes.")
    for nodes, (ours, theirs) in results.items():
        if nodes >= INK_FASTER_FROM:
            report.budget(f"faster build than inkjs at {nodes:,} nodes (CPU time)",
                          f"{secs(ours.cpu)} vs {secs(theirs.cpu)} (×{ours.cpu / theirs.cpu:.2f}; wall "
                          f"{secs(ours.wall)} vs {secs(theirs.wall)})", "ratio < 1", ours.cpu < theirs.cpu)
    share = pkg["runtime_raw"] / len(runtime)
    report.budget(f"runtime under {INK_RUNTIME_SHARE} of the size of ink's (raw)",
                  f"{pkg['runtime_raw']:,} vs {len(runtime):,} bytes (×{share:.2f})", f"< ×{INK_RUNTIME_SHARE}",
                  share < INK_RUNTIME_SHARE)


def learner(report: Report, tmp: Path, scaled: dict, loads: int) -> None:
    import learner as L
    from playwright.sync_api import sync_playwright

    from generator.walks import lms

    log("learner: web build of the flagship course")
    web_out = tmp / "web"
    measure.run([COURSEGEN, "build", str(FLAGSHIP), "--format", "web", "--format", "scorm12", "--out", str(web_out)])
    flag_web = next(web_out.glob("*-web"))
    flag_12 = tmp / "unzipped" / "flagship-12"
    with zipfile.ZipFile(next(web_out.glob("*-scorm12.zip"))) as archive:
        archive.extractall(flag_12)
    mounts = {"/web/flagship/": flag_web, "/pkg/flagship/": flag_12}
    synthetic = {}
    for nodes in (1000, 10000):
        if nodes not in scaled:
            continue
        # The SCORM 1.2 package of the scaling run: the web build's files plus the manifest
        # and schemas; without an LMS it runs standalone exactly like the web build.
        folder = tmp / "unzipped" / f"course-{nodes}"
        with zipfile.ZipFile(next(scaled[nodes]["out"].glob("*-scorm12.zip"))) as archive:
            archive.extractall(folder)
        mounts[f"/pkg/course-{nodes}/"] = folder
        synthetic[nodes] = folder
    flag_plan = L.plan_for(FLAGSHIP)
    plans = {n: L.plan_for(scaled[n]["full"]) for n in synthetic if n <= 1000}
    with lms.HostServer(mounts) as server, sync_playwright() as playwright:
        browser = L.launch(playwright)
        chromium = browser.version
        try:
            log("learner: start-up times")
            starts = {"flagship": L.startup(browser, f"{server.url}/web/flagship/index.html", loads, True, True)}
            for nodes in synthetic:
                starts[nodes] = L.startup(browser, f"{server.url}/pkg/course-{nodes}/index.html",
                                          loads if nodes <= 1000 else max(3, loads - 2), False, True)
            log("learner: whole-course walks (web build: heap; SCORM 1.2 in scorm-again: suspend_data)")
            web_walks = {"flagship": L.walk_web(browser, f"{server.url}/web/flagship/index.html", flag_plan)}
            scorm_walks = {"flagship": L.walk_scorm(browser, server.url, "/pkg/flagship/", flag_plan)}
            for nodes, plan in plans.items():
                web_walks[nodes] = L.walk_web(browser, f"{server.url}/pkg/course-{nodes}/index.html", plan)
                scorm_walks[nodes] = L.walk_scorm(browser, server.url, f"/pkg/course-{nodes}/", plan)
        finally:
            browser.close()
    med = L.Startup.med
    report.section("Learner side, in Chromium",
                   f"Chromium {chromium}, headless, pages from 127.0.0.1. Times from the start of navigation "
                   f"(`performance.now()` in the page), noted by a MutationObserver installed before any script: "
                   f"*first view* = the first `[data-view]` in the DOM; *first choice clickable* = a "
                   f"`[data-choice]` button is in the DOM and the main thread is free again (a `setTimeout(0)` "
                   f"after it ran). Fresh browser context per load; median of {loads} loads (3 for 10,000 "
                   f"nodes). The flagship starts with a lesson: its lesson pages are clicked through "
                   f"(`[data-action=\"next\"]`) in the page as soon as each appears. `dist()` = the runtime's "
                   f"progress-bar distances for the scenario, computed on the first scenario render (timed "
                   f"separately on a fresh engine after each load; median). Synthetic courses are served from their SCORM 1.2 package "
                   f"(the web build's files plus manifest and schemas), standalone.")
    rows = []
    for key, s in starts.items():
        name = "flagship (web build)" if key == "flagship" else f"synthetic {key:,} nodes (scenario first)"
        extra = f" (after {s.clicks} lesson pages)" if s.clicks else ""
        rows.append([name, ms(med(s.view_ms)), ms(med(s.idle_ms)) + extra,
                     ms(med(s.dist_ms)) if s.dist_ms else "n/a", mb(s.heap_after_load)])
    report.table(["course", "navigation → first view", "navigation → first choice clickable", "dist()",
                  "JS heap at first choice"], rows)
    report.text("", "Whole-course walks (best path through every scenario, every question answered right), "
                "clicked through the test hooks in the page, one animation frame per view. JS heap = CDP "
                "`Performance.getMetrics` JSHeapUsedSize after `HeapProfiler.collectGarbage`, on the web build "
                "(no LMS in the page). Handler = time inside the click handlers (state, save, render).", "")
    rows = []
    for key, w in web_walks.items():
        name = "flagship" if key == "flagship" else f"synthetic {key:,} nodes"
        rows.append([name, f"{w.choices} choices + {w.answers} answers", w.clicks, mb(w.heap_before),
                     mb(w.heap_after), f"{w.handler_ms:,.0f} ms", f"{w.handler_ms / max(w.clicks, 1):.1f} ms"])
    report.table(["course", "decisions", "clicks", "JS heap after start", "JS heap after the walk",
                  "handler time, total", "handler time per click"], rows)
    report.section("Resume state (suspend_data)",
                   "The same walks as SCORM 1.2 packages in the test LMS (scorm-again in coursegen's host page, "
                   "`window.lmsLog`): the last `cmi.suspend_data` the course wrote, ÷ the decisions taken "
                   "(scenario choices + quiz answers). The 1,000-node course walks one path: its best.")
    rows = []
    for key, w in scorm_walks.items():
        name = "flagship" if key == "flagship" else f"synthetic {key:,} nodes"
        data = w.suspend_data or ""
        per = len(data) / w.decisions if w.decisions else float("inf")
        rows.append([name, w.decisions, len(data), f"{per:.2f}", w.longest_suspend, w.suspend_writes,
                     f"`{data}`" if len(data) <= 200 else f"`{data[:200]}…`"])
        report.budget(f"suspend_data per decision, {name}", f"{len(data)} chars / {w.decisions} decisions = "
                      f"{per:.2f}", f"<= {SUSPEND_MAX}", bool(data) and per <= SUSPEND_MAX)
    report.table(["course", "decisions", "last suspend_data (chars)", "chars per decision", "longest written",
                  "writes", "last suspend_data"], rows)


def lms_writes(report: Report) -> None:
    import lms_writes as W

    log("LMS writes: the flagship's best, worst, longest and replaying walks in the Moodle-like test LMS")
    rows = W.measure(FLAGSHIP)
    report.section("LMS writes: Commits and bytes per walk",
                   "The flagship's best, worst and longest walks (`plan.walks`, `plan.longest`), the walk that "
                   "starts the most attempts again (Try again, quiz retakes) and the failed course recovered "
                   "from its results (`fail, then recover`; again = attempts started again) in coursegen's "
                   "test LMS, Moodle-like profile (`generator/walks/lmshost/host.js`): the data model posted as "
                   "Moodle 4.4's player posts it (1.2: what changed; 2004: the whole record, one form field per "
                   "element), Commit as a synchronous request, Terminate as a `navigator.sendBeacon` of multipart "
                   "form data, which Chromium refuses once 64 KiB are in flight. Bytes are request bodies as "
                   "they reached the server. Views = steps the walk clicks through.")
    table = []
    for r in rows:
        version = "1.2" if r.fmt == "scorm12" else "2004"
        table.append([r.walk, version, r.views, r.again, r.commits, f"{r.posted:,}", f"{r.largest:,}", f"{r.final:,}",
                      "true" if r.finished else "**false**", "yes" if not r.failures else "**no**: " + r.failures[0]])
        # Each attempt started again (Try again, a retake, Replay from the results) finishes a
        # module once more, and a finished module is worth its commit.
        limit = r.modules + r.again + COMMITS_OVER_MODULES
        report.budget(f"Commits per walk, {r.walk} {version}",
                      f"{r.commits} ({r.modules} modules" + (f", {r.again} again)" if r.again else ")"),
                      f"<= {limit}", r.commits <= limit)
        report.budget(f"final write, {r.walk} {version}", f"{r.final:,} bytes" + ("" if r.finished else ", refused"),
                      f"<= {FINAL_WRITE_MAX:,} bytes", r.finished and not r.refused and 0 < r.final <= FINAL_WRITE_MAX
                      and not r.failures)
    report.table(["walk", "SCORM", "views", "again", "Commits", "bytes posted", "largest write", "final write (beacon)",
                  "Terminate", "LMS holds the prediction"], table)


# --- main -----------------------------------------------------------------------------

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="sizes up to 1,000 nodes and fewer runs (a smoke "
                        "test; the budgets that need 10,000 nodes then fail)")
    parser.add_argument("--out", default=str(BENCH / "results.md"), help="where to write the results")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder with the synthetic courses")
    parser.add_argument("--no-servers", action="store_true", help="walks: the flagship's full walk here only, not "
                        "through 1, 2 and 4 browser servers (the longest part on a busy machine)")
    parser.add_argument("--only", metavar="SECTIONS", help="comma-separated sections to run: " + ", ".join(SECTIONS)
                        + " (default: all; the results file then holds only those)")
    args = parser.parse_args(argv)
    only = set(args.only.split(",")) if args.only else set(SECTIONS)
    if only - set(SECTIONS):
        parser.error(f"unknown sections: {', '.join(sorted(only - set(SECTIONS)))}")
    started = time.monotonic()
    info = machine()
    sizes = [s for s in SIZES if not args.quick or s[0] <= 1000]
    runs = 3 if args.quick else 5
    report = Report()
    tmp = Path(tempfile.mkdtemp(prefix="coursegen-bench-"))
    try:
        def guarded(name, fn, *a):
            try:
                return fn(*a)
            except Exception as problem:
                log(f"{name}: FAILED: {problem}")
                report.problems.append(f"{name}: {type(problem).__name__}: {problem}")
                report.section(f"{name}: failed", f"```\n{traceback.format_exc()[-3000:]}\n```")
                report.budget(f"{name} ran", "failed", "runs", False)
                return None

        want = lambda name: name in only  # noqa: E731
        built = guarded("flagship build", flagship, report, tmp, runs) if want("build") else None
        pkg = guarded("package", package, report, built) if built else None
        needs_synthetic = only & {"scaling", "ink", "learner", "coverage"}
        made = guarded("synthetic courses", make_synthetic, tmp, sizes) if needs_synthetic else None
        scaled = guarded("scaling", scaling, report, tmp, made, lambda n: 3 if n >= 10000 or args.quick else 5) \
            if made and (want("scaling") or want("learner")) else None
        if want("analysis"):
            guarded("pathological analysis", pathological, report, tmp)
        if made and want("coverage"):
            guarded("coverage_paths", walks_bench.coverage, report, made)
        if want("coverage"):
            guarded("plan.walks", walks_bench.planning, report)
        if made and pkg and want("ink"):
            guarded("inkjs comparison", ink, report, tmp, made, pkg, 3)
        if scaled and want("learner"):
            guarded("learner side", learner, report, tmp, scaled, 3 if args.quick else 5)
        if want("lms"):
            guarded("LMS writes", lms_writes, report)
        if want("broken"):  # 10,000 nodes would only show the time-out: 1,000 already shows how it grows
            guarded("broken courses", broken, report, tmp, [n for n, _ in sizes if n <= 1000])
        if want("cold"):
            guarded("cold start", walks_bench.cold_start, report, 3 if args.quick else 7)
        if want("walks"):
            guarded("walks", walks_bench.walks, report, 1 if args.quick else 3,
                    () if args.no_servers else walks_bench.SERVER_COUNTS)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            log(f"kept {tmp}")
    info["load_end"] = os.getloadavg()
    info["seconds"] = time.monotonic() - started
    ok = all(b.ok for b in report.budgets)  # a section that failed to run has added a failing budget
    text = render(info, report, ok, args.quick)
    print(text)
    Path(args.out).write_text(text, encoding="utf-8")
    log(f"wrote {args.out} in {info['seconds']:.0f} s: {'every budget passes' if ok else 'some budgets FAIL'}")
    return 0 if ok else 1


def render(info: dict, report: Report, ok: bool, quick: bool) -> str:
    load = lambda t: ", ".join(f"{x:.2f}" for x in t)  # noqa: E731
    head = [
        "# coursegen bench: results of the last run",
        "",
        "Written by `bench/run.sh` (see `bench/README.md`); do not edit by hand." + (" **Quick run (--quick).**" if quick else ""),
        "",
        "| machine | |",
        "| --- | --- |",
        f"| date | {info['date']} |",
        f"| CPU | {info['cpu']}, {info['cores']} cores |",
        f"| memory | {info['memory']} |",
        f"| Python | {info['python']} |",
        f"| Chromium | {info['chromium']} (Playwright {info['playwright']}) |",
        f"| node | {info['node']} (inkjs {info['inkjs']}) |",
        f"| coursegen | commit {info['commit']}, {info['changed']} uncommitted change(s) under generator/ |",
        f"| load average (1, 5, 15 min) | at start {load(info['load_start'])}; at end {load(info['load_end'])} |",
        f"| bench duration | {info['seconds']:.0f} s |",
        "",
        "## Budgets",
        "",
        "| budget | measured | limit | result |",
        "| --- | --- | --- | --- |",
    ]
    head += [f"| {b.name} | {b.measured} | {b.limit} | {'PASS' if b.ok else '**FAIL**'} |" for b in report.budgets]
    head += ["", f"**{'Every budget passes.' if ok else 'Some budgets fail: the bench exits 1.'}**"]
    if report.problems:
        head += ["", "Problems while measuring:", ""] + [f"- {p}" for p in report.problems]
    return "\n".join(head + report.lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())

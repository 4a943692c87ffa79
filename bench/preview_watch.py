"""The preview's watcher, measured: from a save to the new build, and the CPU it costs while idle.

    .venv/bin/python bench/preview_watch.py [--saves N] [--idle SECONDS]

Two courses, copied or written into a temp folder: the flagship (course/ and ../scenarios/, 20
files watched) and 600 one-page lessons (601 files). For each, `coursegen preview` runs in this process
(its server and its watcher, as an author runs it); then:

- idle CPU: user+sys time of the whole process over SECONDS with nothing saved, as % of one core,
  beside the same process with the server alone (the watcher's share is the difference);
- latency: N saves of one module, a second apart; from the write returning to the new build
  being served (`Preview.wait`), and that minus the compile time (what the watcher adds).

Prints a Markdown table; not part of `bench/run.sh`'s budgets: the numbers drove a design choice
(native file events over polling), recorded in bench/README.md.
"""
from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from generator.workbench import preview as preview_module  # noqa: E402
from generator.workbench import server  # noqa: E402

LESSONS = 600


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def idle_share(seconds: float) -> float:
    time.sleep(1.0)  # let the start settle
    wall, used = time.monotonic(), cpu()
    time.sleep(seconds)
    return 100 * (cpu() - used) / (time.monotonic() - wall)


def flagship(folder: Path) -> tuple[Path, Path]:
    shutil.copytree(REPO / "course", folder / "course")
    shutil.copytree(REPO / "scenarios", folder / "scenarios")
    return folder / "course", folder / "scenarios" / "whiteboard-selfie.md"


def many_lessons(folder: Path) -> tuple[Path, Path]:
    course = folder / "many"
    (course / "lessons").mkdir(parents=True)
    names = []
    for i in range(LESSONS):
        name = f"lessons/l{i:03}.md"
        (course / name).write_text(f"---\nid: l{i:03}\ntitle: Lesson {i}\nkind: lesson\n---\n\n# Lesson {i}\n\n"
                                   "A page of text about keeping the roadmap off the whiteboard.\n", encoding="utf-8")
        names.append(name)
    (course / "course.yaml").write_text("id: many\ntitle: Many\nversion: 1.0.0\nmodules:\n"
                                        + "".join(f"  - {n}\n" for n in names), encoding="utf-8")
    return course, course / "lessons" / "l300.md"


def measure(course: Path, module: Path, saves: int, idle: float) -> dict:
    running = preview_module.Preview(course, port=0)
    running._server = server.serve(running, 0)  # the server alone first: the baseline
    try:
        baseline = idle_share(idle)
        running._signature = running._stat(running.build.watched)
        running._watcher.start()
        watching = idle_share(idle)
        latencies, detections = [], []
        original = module.read_text(encoding="utf-8")
        for i in range(saves):
            time.sleep(1.0)
            since = running.build.version
            module.write_text(original + f"\n<!-- save {i} -->\n", encoding="utf-8")
            written = time.perf_counter()
            fresh = running.wait(since, timeout=20)
            served = time.perf_counter()
            assert fresh.version != since, "the save was never noticed"
            latencies.append(served - written)
            detections.append(served - written - fresh.seconds)
        return {"files": sum(1 for p in running.build.watched if p.is_file()), "baseline": baseline,
                "watching": watching, "latency": latencies, "detection": detections}
    finally:
        running.stop()


def main(argv=None) -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--saves", type=int, default=10)
    options.add_argument("--idle", type=float, default=30.0)
    args = options.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="coursegen-bench-watch-") as temp:
        for name, make in (("flagship", flagship), (f"{LESSONS} lessons", many_lessons)):
            folder = Path(temp) / name.replace(" ", "-")
            folder.mkdir()
            result = measure(*make(folder), args.saves, args.idle)
            ms = lambda values: f"{1000 * statistics.median(values):.0f} ms (max {1000 * max(values):.0f})"  # noqa: E731
            rows.append(f"| {name} | {result['files']} | {result['watching']:.2f}% | {result['baseline']:.2f}% "
                        f"| {ms(result['latency'])} | {ms(result['detection'])} |")
    print("| course | files watched | idle CPU, preview | idle CPU, server alone | save → new build (median) "
          "| of which not compiling |")
    print("| --- | --- | --- | --- | --- | --- |")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())

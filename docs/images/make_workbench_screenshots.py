"""Regenerate the screenshots of docs/workbench.md from the flagship course:

    .venv/bin/python docs/images/make_workbench_screenshots.py

preview-inspector.png  the preview mid-scenario, with the LMS inspector beside it
preview-errors.png     the same preview after a save that broke a scenario
scenario-map.png       the map of one flagship scenario
"""
from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO))

from generator.walks.lms import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from generator.workbench import maps  # noqa: E402
from generator.workbench.preview import Preview  # noqa: E402

VIEWPORT = {"width": 1440, "height": 900}


def copy_course(into: Path) -> Path:
    """The flagship course and its scenarios, so the error shot can break a file safely."""
    shutil.copytree(REPO / "course", into / "course")
    shutil.copytree(REPO / "scenarios", into / "scenarios")
    return into / "course"


def preview_shots(browser, course: Path) -> None:
    with Preview(course, port=0) as preview:
        page = browser.new_page(viewport=VIEWPORT, device_scale_factor=1)
        page.goto(preview.url + "#node=whiteboard-selfie/start")
        scene = page.frame_locator("#course").locator("[data-view]")
        expect(scene).to_have_attribute("data-node", "start", timeout=20_000)
        scene.locator('[data-choice="1"]').click()  # ask to see the shot: sets "noticed"
        expect(scene).to_have_attribute("data-node", "check-shot")
        scene.locator('[data-choice="0"]').click()  # retake it in the lobby: +5
        expect(scene).to_have_attribute("data-node", "caption")
        page.select_option("#jump-node", "incident-response/brief")
        page.check('[data-flag="evidence"]')
        expect(page.locator("#interactions tbody tr")).to_have_count(2)
        page.wait_for_timeout(400)
        page.screenshot(path=str(HERE / "preview-inspector.png"))

        scenario = course.parent / "scenarios" / "whiteboard-selfie.md"
        text = scenario.read_text(encoding="utf-8")
        scenario.write_text(text.replace("(#clean-post){points=5}", "(#clean-posts){points=5}", 1)
                            .replace("{if=\"flag.noticed\" points=5}", "{if=\"flag.noticd\" points=5}", 1),
                            encoding="utf-8")
        expect(page.locator("#problems")).to_be_visible(timeout=20_000)
        page.wait_for_timeout(300)
        page.screenshot(path=str(HERE / "preview-errors.png"))
        page.close()


def map_shot(browser, course: Path, out: Path) -> None:
    assert maps.run(str(course), str(out)) == 0
    page = browser.new_page(viewport={"width": 1500, "height": 900}, device_scale_factor=1)
    page.goto((out / "index.html").as_uri() + "#whiteboard-selfie")
    page.locator("#whiteboard-selfie").screenshot(path=str(HERE / "scenario-map.png"))
    page.close()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            course = copy_course(Path(tmp))
            map_shot(browser, course, Path(tmp) / "map")
            preview_shots(browser, course)
        finally:
            browser.close()
    for name in ("preview-inspector.png", "preview-errors.png", "scenario-map.png"):
        print(f"wrote docs/images/{name}")


if __name__ == "__main__":
    main()

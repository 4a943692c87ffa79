"""A 320 px wide phone never scrolls sideways, on any view of the flagship course."""
from __future__ import annotations

from repo import REPO

from generator.walks import runner

FLAGSHIP = REPO / "course" / "course.yaml"


def test_no_view_scrolls_sideways_on_a_320_pixel_phone():
    # Every walk of the flagship, each view measured in a 320 x 640 viewport.
    report = runner.run(FLAGSHIP, ("scorm2004",), workers=2, max_paths=0, viewport=(320, 640))
    failures = [f"[{r.walk}] {f}" for r in report.results for f in r.failures]
    assert not failures, "\n".join(failures)
    assert len(report.results) >= 2


def test_the_overflow_check_catches_a_view_wider_than_a_phone(tmp_path):
    # The runtime wraps and scrolls long content inside its boxes, so break it on purpose.
    package = runner.unpacked(FLAGSHIP, ("scorm2004",), tmp_path)["scorm2004"]
    with (package / "runtime" / "style.css").open("a") as css:
        css.write("\n[data-view=\"node\"] h1 { min-width: 700px; }\n")
    report = runner.run(FLAGSHIP, ("scorm2004",), workers=1, max_paths=0, viewport=(320, 640),
                      packages={"scorm2004": package})
    failures = [f for r in report.results for f in r.failures]
    assert failures and all("px viewport: learners on phones would scroll sideways" in f for f in failures)
    assert any('the node "' in f and " view is " in f for f in failures), failures

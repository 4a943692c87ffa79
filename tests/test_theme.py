"""A course's theme (addition to v1): its colours, logo and font, the contrast check that holds
every pair it produces to WCAG AA, and the themed package in light and dark."""
from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from repo import REPO

from generator import build
from generator.check import theme
from generator.diagnostics import CourseError
from generator.model import Palette
from generator.package import render
from views import AXE, axe, served_packages

FLAGSHIP = REPO / "course" / "course.yaml"


def test_contrast_is_wcags_ratio():
    assert round(theme.contrast("#000000", "#ffffff"), 2) == 21.0
    assert round(theme.contrast("#767676", "#ffffff"), 2) == 4.54  # the lightest grey that passes on white
    assert theme.shown(4.4999) == "4.49:1"  # rounded down: a failing ratio never reads as passing


def course_with(tmp_path: Path, theme_yaml: str) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "course.yaml").write_text("id: t\ntitle: T\nversion: 1.0.0\nmodules: [l.md]\ntheme:\n"
                                          + textwrap.indent(textwrap.dedent(theme_yaml), "  "), encoding="utf-8")
    (tmp_path / "l.md").write_text("---\nid: l\ntitle: L\nkind: lesson\n---\n\n# Page\nText.\n", encoding="utf-8")
    return tmp_path


def errors(folder: Path) -> list[str]:
    with pytest.raises(CourseError) as raised:
        build.check(folder)
    return [line for line in raised.value.diagnostics.render(cwd=folder) if ": error: " in line]


def test_a_low_contrast_dark_scheme_is_an_error_at_its_own_line(tmp_path):
    found = errors(course_with(tmp_path, """\
        primary: "#9a3f14"
        dark:
          primary: "#f2a36b"
          accent: "#8cc4f0"
          background: "#6b6b6b"
        """))
    # Each colour to change at its own line: the grey background, and the two drawn on it.
    assert [line.split(": error: ")[0] for line in found] == ["course.yaml:8:15", "course.yaml:9:14", "course.yaml:10:18"]
    background = found[2]
    assert background.startswith('course.yaml:10:18: error: background "#6b6b6b" of the theme\'s dark scheme is too low '
                                 "in contrast: text, #e8eaed on #6b6b6b, is 4.")
    suggested = re.search(r'passes is "(#[0-9a-f]{6})"', background).group(1)
    fixed = Palette("#f2a36b", "#8cc4f0", suggested, {})
    assert theme.passes(fixed, "dark")


def test_an_unquoted_colour_and_a_fetched_font_are_explained(tmp_path):
    found = errors(course_with(tmp_path, """\
        primary: #9a3f14
        font: url(https://fonts.example.com/a.woff2)
        """))
    # The YAML reader names the comment; the theme's own message covers any other non-colour.
    assert found[0] == 'course.yaml:6:12: error: a value that starts with "#" is a comment, so "primary" is empty: ' \
                       'put the value in quotes: primary: "#9a3f14"'
    assert len(found) == 2 and "fonts are never fetched from the internet" in found[1]
    named = errors(course_with(tmp_path / "named", 'primary: rust\n'))
    assert named == ['course.yaml:6:12: error: primary must be a colour like "#0b57a4", in quotes (YAML reads an '
                     'unquoted # as the start of a comment), not "rust"']


def test_the_flagship_theme_passes_and_ships_its_stylesheet_logo_and_schemes():
    checked = build.check(FLAGSHIP)
    assert theme.shortfalls(checked.course.theme) == []
    rendered = render.render(checked.course, checked.analyses)
    css = rendered.files["runtime/theme.css"].decode()
    assert "--brand: #9a3f14;" in css and "@media (prefers-color-scheme: dark)" in css and "--brand: #f2a36b;" in css
    assert '"Segoe UI", Roboto' in css and "url(" not in css  # installed fonts: nothing to fetch
    page = rendered.files["index.html"].decode()
    assert page.index("runtime/style.css") < page.index("runtime/theme.css")
    logo = rendered.course_json["logo"]
    assert logo.startswith("assets/") and logo.endswith("kestrel-logo.svg") and logo in rendered.files


def test_a_course_without_a_theme_keeps_the_runtimes_own_look():
    checked = build.check(REPO / "tests" / "fixtures" / "courses" / "quiz-rules")
    rendered = render.render(checked.course, checked.analyses)
    assert "runtime/theme.css" not in rendered.files and "logo" not in rendered.course_json


def test_a_font_file_is_shipped_and_must_be_a_font(tmp_path):
    folder = course_with(tmp_path, 'font: fonts/house.woff2\n')
    (folder / "fonts").mkdir()
    (folder / "fonts" / "house.woff2").write_bytes(b"<html>not a font</html>")
    assert errors(folder) == ['course.yaml:6:9: error: font "fonts/house.woff2" is not a WOFF2, WOFF, TrueType or '
                              "OpenType font"]
    (folder / "fonts" / "house.woff2").write_bytes(b"wOF2" + bytes(60))
    checked = build.check(folder)
    rendered = render.render(checked.course, checked.analyses)
    css = rendered.files["runtime/theme.css"].decode()
    url = re.search(r'src: url\("\.\./(assets/[^"]+)"\)', css).group(1)
    assert url in rendered.files and '"Course", system-ui' in css


@pytest.fixture(scope="module")
def themed(tmp_path_factory):
    with served_packages(FLAGSHIP, ("scorm2004",), tmp_path_factory.mktemp("theme")) as served:
        yield served


@pytest.mark.parametrize("scheme,button,page", [("light", "rgb(154, 63, 20)", "rgb(255, 250, 245)"),
                                                ("dark", "rgb(242, 163, 107)", "rgb(26, 22, 20)")])
def test_the_learner_sees_the_scheme_their_system_prefers_and_axe_finds_no_contrast_problem(themed, scheme, button,
                                                                                           page):
    url, browser = themed
    context = browser.new_context(color_scheme=scheme, bypass_csp=True, reduced_motion="reduce")
    tab = context.new_page()
    tab.goto(f"{url}/lms/host.html?version=2004&launch=/pkg/scorm2004/index.html")
    tab.wait_for_function("() => window.lms && window.lms.ready")
    frame = tab.query_selector("#sco").content_frame()
    frame.wait_for_selector("[data-view=cover]")
    colours = frame.evaluate("""() => [getComputedStyle(document.querySelector('[data-action=next]')).backgroundColor,
                                       getComputedStyle(document.body).backgroundColor || '',
                                       getComputedStyle(document.documentElement).backgroundColor]""")
    assert colours[0] == button and page in colours[1:]
    assert frame.evaluate("() => document.querySelector('header img.logo').naturalWidth") > 0
    found = {}
    for view in ("cover", "lesson"):
        frame.add_script_tag(path=str(AXE))
        found[view] = axe(frame)
        frame.click("[data-action=next]")
        frame.wait_for_selector("[data-view=lesson]")
    assert found == {"cover": [], "lesson": []}
    context.close()

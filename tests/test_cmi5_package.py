"""cmi5 packages: cmi5.xml valid against the official CourseStructure.xsd, ids an LMS can keep,
moveOn and masteryScore that say what the course decides, and the cmi5 runtime adapter inside."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from repo import REPO

from generator import build, cli
from generator.package import cmi5

XSD = REPO / "generator" / "package" / "schemas" / "cmi5" / "CourseStructure.xsd"
NS = {"c": cmi5.NAMESPACE}
COURSES = [REPO / "course" / "course.yaml", REPO / "course" / "refresher.yaml",
           *sorted((REPO / "tests" / "fixtures" / "courses").glob("*/course.yaml"))]


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


@pytest.fixture(scope="module")
def packages(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("cmi5")
    built = {}
    for course_file in COURSES:
        result = build.build(course_file, ("cmi5",), out / f"{course_file.parent.name}-{course_file.stem}")
        built[f"{course_file.parent.name}/{course_file.stem}"] = result.outputs[0]
    return built


def structure(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read("cmi5.xml"))


def test_the_flagship_and_every_fixture_course_build_a_cmi5_zip(packages):
    assert len(packages) == len(COURSES) >= 5
    assert packages["course/course"].name == "social-media-ip-1.0.0-cmi5.zip"


def test_every_cmi5_xml_validates_against_the_official_schema(packages, schema):
    for name, path in packages.items():
        document = structure(path)
        assert schema.validate(document), f"{name}: {schema.error_log}"
        assert len(document.findall("c:au", NS)) == 1, f"{name}: one AU per course"


@pytest.mark.parametrize("break_it", [
    lambda xml: xml.replace("<url>index.html</url>", ""),  # an AU without its launch URL
    lambda xml: xml.replace('moveOn="CompletedAndPassed"', 'moveOn="CompletedThenPassed"'),
    lambda xml: xml.replace('masteryScore="0.80"', 'masteryScore="80"'),
    lambda xml: re.sub(r"<description>.*?</description>", "", xml, count=1, flags=re.S),
], ids=["no-url", "unknown-moveOn", "masteryScore-over-1", "course-without-description"])
def test_a_broken_course_structure_fails_the_schema(packages, schema, break_it):
    with zipfile.ZipFile(packages["course/course"]) as archive:
        text = archive.read("cmi5.xml").decode("utf-8")
    broken = break_it(text)
    assert broken != text
    assert not schema.validate(etree.fromstring(broken.encode("utf-8")))


def test_ids_are_absolute_iris_under_the_default_base(packages):
    document = structure(packages["course/course"])
    assert document.find("c:course", NS).get("id") == "https://coursegen.invalid/courses/social-media-ip"
    assert document.find("c:au", NS).get("id") == "https://coursegen.invalid/courses/social-media-ip/au"


def test_moveon_and_mastery_score_follow_the_course_verdict(packages):
    au = structure(packages["course/course"]).find("c:au", NS)
    # passed = completed, percent >= pass mark (80) and every quiz passed: the LMS needs both verbs.
    assert (au.get("moveOn"), au.get("masteryScore"), au.get("launchMethod")) == ("CompletedAndPassed", "0.80", "AnyWindow")
    assert au.findtext("c:url", namespaces=NS) == "index.html"


def write_course(folder: Path, extra: str = "", version: str = "1.0.0", pass_mark: int = 70) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "course.yaml").write_text(
        f"id: safe-sharing\ntitle: Sharing <Safely> & Well\nversion: {version}\npass_mark: {pass_mark}\n{extra}"
        "modules:\n  - check.md\n", encoding="utf-8")
    (folder / "check.md").write_text(
        "---\nid: check\ntitle: Check\nkind: quiz\n---\n\n## Is a draft public? {#q type=truefalse points=5}\n\n"
        "- [ ] True\n- [x] False\n", encoding="utf-8")
    return folder / "course.yaml"


def test_a_configured_base_gives_ids_that_survive_a_new_version(tmp_path, schema):
    ids = []
    for version in ("1.0.0", "2.0.0"):
        course = write_course(tmp_path / version, "xapi_base: https://learning.example.com/xapi\n", version, 75)
        path = build.build(course, ("cmi5",), tmp_path / f"out-{version}").outputs[0]
        document = structure(path)
        assert schema.validate(document), schema.error_log
        au = document.find("c:au", NS)
        ids.append((document.find("c:course", NS).get("id"), au.get("id")))
        assert au.get("masteryScore") == "0.75"
        # Markup in the title is text in the XML, never elements.
        assert document.findtext("c:course/c:title/c:langstring", namespaces=NS) == "Sharing <Safely> & Well"
    assert ids[0] == ids[1] == ("https://learning.example.com/xapi/safe-sharing",
                                "https://learning.example.com/xapi/safe-sharing/au")


def test_the_package_runs_the_cmi5_adapter_and_may_talk_to_its_lms(packages):
    with zipfile.ZipFile(packages["course/course"]) as archive:
        names = set(archive.namelist())
        page = archive.read("index.html").decode("utf-8")
    assert "runtime/cmi5.js" in names and "runtime/scorm.js" not in names and "imsmanifest.xml" not in names
    loaded = re.findall(r'<script src="([^"]+)"', page)
    assert loaded == ["runtime/state.js", "runtime/expr.js", "runtime/engine.js", "runtime/cmi5.js", "runtime/player.js"]
    assert set(loaded) <= names
    assert "connect-src &#39;self&#39; http: https:" in page  # the endpoint is known only at launch
    assert '"au":"https://coursegen.invalid/courses/social-media-ip/au"' in page


def test_scorm_packages_keep_the_scorm_adapter_and_connect_nowhere(tmp_path):
    built = build.build(REPO / "tests" / "fixtures" / "courses" / "reading-only", ("scorm2004", "cmi5", "web"), tmp_path)
    scorm, cmi5_zip, web = built.outputs
    with zipfile.ZipFile(scorm) as archive:
        names = set(archive.namelist())
        page = archive.read("index.html").decode("utf-8")
    assert "runtime/scorm.js" in names and "runtime/cmi5.js" not in names
    assert "connect-src &#39;none&#39;" in page and '"au":' not in page
    assert (web / "runtime" / "scorm.js").is_file() and not (web / "runtime" / "cmi5.js").exists()


def test_cmi5_builds_are_byte_identical(tmp_path):
    course = REPO / "course" / "course.yaml"
    first = build.build(course, ("cmi5",), tmp_path / "a").outputs[0].read_bytes()
    second = build.build(course, ("cmi5",), tmp_path / "b").outputs[0].read_bytes()
    assert first == second


def test_the_cli_builds_cmi5(tmp_path, capsys):
    assert cli.main(["build", str(REPO / "tests" / "fixtures" / "courses" / "reading-only"), "--format", "cmi5",
                     "--out", str(tmp_path)]) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["reading-only-fixture-0.9.0-beta-cmi5.zip"]
    assert "reading-only-fixture-0.9.0-beta-cmi5.zip" in capsys.readouterr().out


def test_no_cmi5_package_references_anything_on_the_internet(packages):
    from test_package import FETCHED  # the same scan the SCORM packages pass

    for name, path in packages.items():
        with zipfile.ZipFile(path) as archive:
            for member in archive.namelist():
                if member.endswith(".xml"):
                    continue  # ids and namespace names, never fetched
                text = archive.read(member).decode("utf-8", "replace")
                text = re.sub(r'<a\s[^>]*href="https?://[^"]*"', "<a", text)
                assert not FETCHED.search(text), f"{name} {member}: {FETCHED.search(text).group()}"


def test_each_language_of_a_course_is_a_cmi5_course_of_its_own(tmp_path, schema):
    """An LMS imports each language's package as a course: the same ids would make one replace the other."""
    course = REPO / "tests" / "fixtures" / "courses" / "branching"
    plain = structure(build.build(course, ("cmi5",), tmp_path / "plain").outputs[0])
    pseudo_zip = build.build(course, ("cmi5",), tmp_path / "pseudo", ["qps-ploc"]).outputs[0]
    pseudo = structure(pseudo_zip)
    assert schema.validate(pseudo), schema.error_log
    assert pseudo.find("c:au", NS).get("id") == plain.find("c:au", NS).get("id").replace("/au", "/qps-ploc/au")
    with zipfile.ZipFile(pseudo_zip) as archive:
        assert f'"au":"{pseudo.find("c:au", NS).get("id")}"' in archive.read("index.html").decode("utf-8")

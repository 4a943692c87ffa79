"""SCORM packages: valid manifests, complete file lists, nothing fetched from outside,
byte-identical rebuilds, and output that is written whole or not at all."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from repo import REPO, SHARED

from generator import build

FLAGSHIP = REPO / "course" / "course.yaml"
STANDARDS = SHARED / "standards"
NAMESPACES = {
    "scorm12": {
        "http://www.imsproject.org/xsd/imscp_rootv1p1p2": "scorm12/imscp_rootv1p1p2.xsd",
        "http://www.adlnet.org/xsd/adlcp_rootv1p2": "scorm12/adlcp_rootv1p2.xsd",
        "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1": "scorm12/imsmd_rootv1p2p1.xsd",  # the language
    },
    "scorm2004": {
        "http://www.imsglobal.org/xsd/imscp_v1p1": "scorm2004/imscp_v1p1.xsd",
        "http://www.adlnet.org/xsd/adlcp_v1p3": "scorm2004/adlcp_v1p3.xsd",
        "http://www.adlnet.org/xsd/adlseq_v1p3": "scorm2004/adlseq_v1p3.xsd",
        "http://www.adlnet.org/xsd/adlnav_v1p3": "scorm2004/adlnav_v1p3.xsd",
        "http://www.imsglobal.org/xsd/imsss": "scorm2004/imsss_v1p0.xsd",
        "http://ltsc.ieee.org/xsd/LOM": "scorm2004/lomStrict.xsd",  # the language, in IEEE LOM
    },
}
_schemas: dict[str, etree.XMLSchema] = {}


def schema(fmt: str) -> etree.XMLSchema:
    """One schema importing every namespace a manifest of that version uses."""
    if fmt not in _schemas:
        imports = "".join(f'<xs:import namespace="{ns}" schemaLocation="{(STANDARDS / path).as_uri()}"/>'
                          for ns, path in NAMESPACES[fmt].items())
        wrapper = f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{imports}</xs:schema>'
        _schemas[fmt] = etree.XMLSchema(etree.fromstring(wrapper, base_url=str(STANDARDS) + "/"))
    return _schemas[fmt]


def fixture_courses() -> list[Path]:
    found = [FLAGSHIP, REPO / "course" / "refresher.yaml"]
    found += sorted((REPO / "tests" / "fixtures" / "courses").glob("*/course.yaml"))
    return [path for path in found if path.exists()]


@pytest.fixture(scope="module")
def packages(tmp_path_factory) -> dict[tuple[str, str], Path]:
    out = tmp_path_factory.mktemp("packages")
    built = {}
    for course_file in fixture_courses():
        result = build.build(course_file, ("scorm12", "scorm2004"), out / course_file.parent.name / course_file.stem)
        for path in result.outputs:
            fmt = "scorm12" if path.name.endswith("scorm12.zip") else "scorm2004"
            built[(f"{course_file.parent.name}/{course_file.stem}", fmt)] = path
    return built


def manifest_of(archive: zipfile.ZipFile) -> etree._Element:
    return etree.fromstring(archive.read("imsmanifest.xml"))


def test_the_flagship_and_every_fixture_course_are_packaged(packages):
    assert ("course/course", "scorm12") in packages and ("course/course", "scorm2004") in packages
    assert len(packages) >= 4


def test_every_manifest_validates_against_the_official_schemas(packages):
    for (course, fmt), path in packages.items():
        with zipfile.ZipFile(path) as archive:
            document = manifest_of(archive)
        checker = schema(fmt)
        assert checker.validate(document), f"{course} {fmt}: {checker.error_log}"


def test_manifest_names_the_right_version_and_pass_mark(packages):
    with zipfile.ZipFile(packages[("course/course", "scorm12")]) as archive:
        text = archive.read("imsmanifest.xml").decode()
    assert "<schemaversion>1.2</schemaversion>" in text and 'adlcp:scormtype="sco"' in text
    assert "<adlcp:masteryscore>80</adlcp:masteryscore>" in text
    with zipfile.ZipFile(packages[("course/course", "scorm2004")]) as archive:
        text = archive.read("imsmanifest.xml").decode()
    assert "<schemaversion>2004 4th Edition</schemaversion>" in text and 'adlcp:scormType="sco"' in text
    assert "<imsss:minNormalizedMeasure>0.80</imsss:minNormalizedMeasure>" in text


def test_every_listed_file_is_in_the_zip_and_every_loaded_file_is_listed(packages):
    for (course, fmt), path in packages.items():
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            document = manifest_of(archive)
            listed = {f.get("href") for f in document.iter("{*}file")}
            resource = next(document.iter("{*}resource"))
            assert resource.get("href") in listed, f"{course} {fmt}: launch file not in its file list"
            assert listed <= names, f"{course} {fmt}: listed but missing: {listed - names}"
            schemas = {n for n in names if n.endswith((".xsd", ".dtd"))}
            assert names - listed == {"imsmanifest.xml"} | schemas, f"{course} {fmt}: unlisted files"
            page = archive.read("index.html").decode()
            loaded = set(re.findall(r'(?:src|href)="([^"#?]+)"', page))
            loaded = {ref for ref in loaded if not ref.startswith(("http:", "https:", "mailto:", "data:"))}
            assert loaded and loaded <= listed, f"{course} {fmt}: loaded but not listed: {loaded - listed}"


def test_schemas_named_by_the_manifest_are_at_the_zip_root(packages):
    for (course, fmt), path in packages.items():
        with zipfile.ZipFile(path) as archive:
            location = manifest_of(archive).get("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation")
            files = location.split()[1::2]
            assert set(files) <= set(archive.namelist()), f"{course} {fmt}"


FETCHED = re.compile(r"""(?:\b(?:src|href|action|poster|data)\s*=\s*["']?\s*|url\(\s*["']?|@import\s+["']|
                         \bimport\s*\(\s*["']|\bfrom\s+["']|fetch\(\s*["'])\s*(?:https?:)?//""", re.X | re.I)


def test_no_package_references_anything_on_the_internet(packages):
    for (course, fmt), path in packages.items():
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if name.endswith((".xsd", ".dtd", ".xml")):
                    continue  # namespace names, never fetched by a browser
                text = archive.read(name).decode("utf-8", "replace")
                # author links (<a href>) open on click only, in a new tab: not fetched
                text = re.sub(r'<a\s[^>]*href="https?://[^"]*"', "<a", text)
                assert not FETCHED.search(text), f"{course} {fmt} {name}: {FETCHED.search(text).group()}"


def test_two_builds_from_different_folders_are_byte_identical(tmp_path):
    outputs = []
    for run, cwd in enumerate((REPO, tmp_path)):
        out = tmp_path / f"out{run}"
        subprocess.run([sys.executable, "-m", "generator", "build", str(FLAGSHIP), "--out", str(out),
                        "--format", "scorm12", "--format", "scorm2004"], cwd=cwd, check=True, capture_output=True)
        outputs.append({p.name: p.read_bytes() for p in out.iterdir()})
    assert outputs[0].keys() == outputs[1].keys() and len(outputs[0]) == 2
    for name in outputs[0]:
        assert outputs[0][name] == outputs[1][name], f"{name} differs between builds"


def test_zip_entries_carry_no_build_time_user_or_absolute_path(packages):
    with zipfile.ZipFile(packages[("course/course", "scorm12")]) as archive:
        for info in archive.infolist():
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            assert not info.filename.startswith("/") and "\\" not in info.filename and ".." not in info.filename
            assert (info.external_attr >> 16) & 0o777 == 0o644
        blob = b"".join(archive.read(n) for n in archive.namelist())
    assert str(REPO).encode() not in blob
    assert os.environ.get("USER", "nobody-at-all").encode() not in blob or os.environ.get("USER") == "root"


KILL_HALF_WAY = """
import os, signal, sys
from pathlib import Path
from generator import cli
real = Path.write_bytes
count = 0
def write_then_die(self, data):
    global count
    count += 1
    if count == 2:
        os.kill(os.getpid(), signal.SIGKILL)
    return real(self, data)
Path.write_bytes = write_then_die
sys.exit(cli.main(sys.argv[1:]))
"""


def test_a_build_killed_half_way_leaves_the_previous_packages_untouched(tmp_path):
    out = tmp_path / "build"
    command = ["build", str(FLAGSHIP), "--out", str(out), "--format", "scorm12", "--format", "scorm2004"]
    subprocess.run([sys.executable, "-m", "generator", *command], check=True, capture_output=True)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    # The course changes, then the next build is killed while writing.
    killed = subprocess.run([sys.executable, "-c", KILL_HALF_WAY, *command], capture_output=True)
    assert killed.returncode == -9
    after = {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith(".coursegen-")}
    assert after == before
    # The next good build clears what the killed one left behind.
    subprocess.run([sys.executable, "-m", "generator", *command], check=True, capture_output=True)
    assert sorted(p.name for p in out.iterdir()) == sorted(before)


def test_a_course_with_errors_writes_nothing(write_course, tmp_path):
    folder = write_course({"course.yaml": "id: x\ntitle: X\nversion: 1\nmodules: [missing.md]\n"})
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, "-m", "generator", "build", str(folder), "--out", str(out)],
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert 'error: file not found: "missing.md"' in result.stderr
    assert not out.exists() or not any(out.iterdir())

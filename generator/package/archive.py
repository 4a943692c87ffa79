"""Packages: SCORM manifests, byte-identical zips, atomic output.

A package is the rendered files plus, for SCORM, `imsmanifest.xml` and the
schemas it names at the zip root. Nothing is written until every package of
the build is ready in memory; then each lands in the output folder by rename.
"""
from __future__ import annotations

import io
import os
import re
import shutil
import tempfile
import zipfile
from importlib import resources
from pathlib import Path

from markupsafe import escape

from ..model import Course, Quiz

SCHEMAS = {
    "scorm12": ["adlcp_rootv1p2.xsd", "ims_xml.xsd", "imscp_rootv1p1p2.xsd", "imsmd_rootv1p2p1.xsd"],
    "scorm2004": ["XMLSchema.dtd", "adlcp_v1p3.xsd", "adlnav_v1p3.xsd", "adlseq_v1p3.xsd", "datatypes.dtd",
                  "imscp_v1p1.xsd", "imsss_v1p0.xsd", "imsss_v1p0auxresource.xsd", "imsss_v1p0control.xsd",
                  "imsss_v1p0delivery.xsd", "imsss_v1p0limit.xsd", "imsss_v1p0objective.xsd",
                  "imsss_v1p0random.xsd", "imsss_v1p0rollup.xsd", "imsss_v1p0seqrule.xsd", "imsss_v1p0util.xsd",
                  "xml.xsd"],
}
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can hold: no build time leaks in
LAUNCH = "index.html"


def _ncname(text: str) -> str:
    """A piece of an xsd:ID: letters, digits, '.', '-', '_' only."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", text)


def package_name(course: Course, fmt: str, language: str | None = None) -> str:
    """<id>-<version>-<format>, or <id>-<lang>-<version>-<format> for a build in a chosen language."""
    tag = f"-{_ncname(language)}" if language else ""
    base = f"{course.id}{tag}-{_ncname(course.version)}-{fmt}"
    return base if fmt == "web" else f"{base}.zip"


def percent_decides(course: Course) -> bool:
    """Whether the course percent alone decides pass or fail: no quiz can be failed.

    Only then does the manifest carry the pass mark. An LMS judges by a mastery score from
    the score alone (Moodle's default "mastery score overrides status" rewrites a 1.2 status at
    LMSFinish; 2004 LMSs derive success from cmi.scaled_passing_score): with a required quiz,
    a learner who failed it with a high percent would be stored "passed". A quiz with no points
    or a pass mark of 0 cannot be failed.
    """
    return not any(isinstance(m, Quiz) and m.max_points > 0 and course.quiz_pass_mark(m) > 0
                   for m in course.modules)


def manifest(course: Course, fmt: str, content_files: list[str], language: str | None = None) -> str:
    """`language`: a build in a chosen language has identifiers of its own, so an LMS holding the
    course in two languages keeps two packages rather than replacing one with the other."""
    ident = f"{course.id}{'-' + _ncname(language) if language else ''}-{_ncname(course.version)}"
    files = "\n".join(f'      <file href="{escape(name)}"/>' for name in sorted(content_files))
    title = escape(course.title)
    language = escape(course.language)  # the LOM general.language: LMS catalogues list the package's language
    by_percent = percent_decides(course)
    if fmt == "scorm12":
        mastery = f"\n        <adlcp:masteryscore>{course.pass_mark}</adlcp:masteryscore>" if by_percent else ""
        return f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="MANIFEST-{ident}" version="{escape(course.version)}"
    xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
    xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xsi:schemaLocation="http://www.imsproject.org/xsd/imscp_rootv1p1p2 imscp_rootv1p1p2.xsd http://www.imsglobal.org/xsd/imsmd_rootv1p2p1 imsmd_rootv1p2p1.xsd http://www.adlnet.org/xsd/adlcp_rootv1p2 adlcp_rootv1p2.xsd">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>1.2</schemaversion>
    <imsmd:lom xmlns:imsmd="http://www.imsglobal.org/xsd/imsmd_rootv1p2p1">
      <imsmd:general>
        <imsmd:language>{language}</imsmd:language>
      </imsmd:general>
    </imsmd:lom>
  </metadata>
  <organizations default="ORG-{ident}">
    <organization identifier="ORG-{ident}">
      <title>{title}</title>
      <item identifier="ITEM-{ident}" identifierref="RES-{ident}" isvisible="true">
        <title>{title}</title>{mastery}
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="RES-{ident}" type="webcontent" adlcp:scormtype="sco" href="{LAUNCH}">
{files}
    </resource>
  </resources>
</manifest>
"""
    # SCORM 2004: the content sets completion and success itself. Where the percent decides,
    # the primary objective carries the pass mark, satisfied by measure: an LMS deriving success
    # from it agrees. Otherwise no objective at all: Moodle turns any objective into a
    # cmi.scaled_passing_score (1.0 when it has no minNormalizedMeasure), whatever
    # satisfiedByMeasure says, and an LMS deriving success from that would override the course.
    objectives = f"""
          <imsss:objectives>
            <imsss:primaryObjective objectiveID="PRIMARY-{ident}" satisfiedByMeasure="true">
              <imsss:minNormalizedMeasure>{course.pass_mark / 100:.2f}</imsss:minNormalizedMeasure>
            </imsss:primaryObjective>
          </imsss:objectives>""" if by_percent else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="MANIFEST-{ident}" version="{escape(course.version)}"
    xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
    xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"
    xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3"
    xmlns:adlnav="http://www.adlnet.org/xsd/adlnav_v1p3"
    xmlns:imsss="http://www.imsglobal.org/xsd/imsss"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xsi:schemaLocation="http://www.imsglobal.org/xsd/imscp_v1p1 imscp_v1p1.xsd http://www.adlnet.org/xsd/adlcp_v1p3 adlcp_v1p3.xsd http://www.adlnet.org/xsd/adlseq_v1p3 adlseq_v1p3.xsd http://www.adlnet.org/xsd/adlnav_v1p3 adlnav_v1p3.xsd http://www.imsglobal.org/xsd/imsss imsss_v1p0.xsd">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>2004 4th Edition</schemaversion>
    <lom xmlns="http://ltsc.ieee.org/xsd/LOM">
      <general>
        <language>{language}</language>
      </general>
    </lom>
  </metadata>
  <organizations default="ORG-{ident}">
    <organization identifier="ORG-{ident}">
      <title>{title}</title>
      <item identifier="ITEM-{ident}" identifierref="RES-{ident}" isvisible="true">
        <title>{title}</title>
        <imsss:sequencing>{objectives}
          <imsss:deliveryControls completionSetByContent="true" objectiveSetByContent="true"/>
        </imsss:sequencing>
      </item>
      <imsss:sequencing>
        <imsss:controlMode choice="true" flow="true"/>
      </imsss:sequencing>
    </organization>
  </organizations>
  <resources>
    <resource identifier="RES-{ident}" type="webcontent" adlcp:scormType="sco" href="{LAUNCH}">
{files}
    </resource>
  </resources>
</manifest>
"""


def schema_files(fmt: str) -> dict[str, bytes]:
    root = resources.files("generator.package") / "schemas" / fmt
    return {name: (root / name).read_bytes() for name in SCHEMAS[fmt]}


def scorm_files(course: Course, fmt: str, content: dict[str, bytes], language: str | None = None) -> dict[str, bytes]:
    files = dict(content)
    files.update(schema_files(fmt))
    files["imsmanifest.xml"] = manifest(course, fmt, list(content), language).encode("utf-8")
    return files


def zip_bytes(files: dict[str, bytes]) -> bytes:
    """The same files always give the same bytes: sorted, fixed dates and modes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            archive.writestr(info, files[name], compresslevel=9)
    return buffer.getvalue()


def write_outputs(outputs: dict[str, bytes | dict[str, bytes]], out_dir: Path) -> list[Path]:
    """Write every output, or none: stage all in a temporary folder, then rename.

    A value of bytes is a file (a zip); a dict is a folder of files (web).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in out_dir.glob(".coursegen-*"):
        shutil.rmtree(stale, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(prefix=".coursegen-", dir=out_dir))
    try:
        for name, data in outputs.items():
            target = staging / name
            if isinstance(data, bytes):
                target.write_bytes(data)
            else:
                for path, content in data.items():
                    (target / path).parent.mkdir(parents=True, exist_ok=True)
                    (target / path).write_bytes(content)
        written = []
        for name in outputs:
            final = out_dir / name
            if (staging / name).is_dir():
                if final.exists():
                    os.replace(final, staging / f"{name}.old")
                os.replace(staging / name, final)
            else:
                os.replace(staging / name, final)
            written.append(final)
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)

"""cmi5 packages: `cmi5.xml` (the course structure: one course, one AU) and the ids
that course, AU and statements carry.

Ids are absolute IRIs derived from the course id under `xapi_base` (course.yaml), so
they stay the same across versions and LMSs: reports on two versions of a course, or
on one course in two LMSs, group together.

moveOn and masteryScore say what the course itself decides (docs/cmi5.md): the AU is
satisfied when it is completed and passed, and passed means percent >= the pass mark
and every quiz passed. The pass mark becomes masteryScore, so an LMS shows it and may
change it; the runtime then judges with the LMS's value.
"""
from __future__ import annotations

from markupsafe import escape

from ..model import Course

DEFAULT_BASE = "https://coursegen.invalid/courses/"  # .invalid: never anyone's domain (RFC 2606)
NAMESPACE = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"
MOVE_ON = "CompletedAndPassed"
LAUNCH = "index.html"


def base(course: Course) -> str:
    found = course.xapi_base or DEFAULT_BASE
    return found if found.endswith(("/", "#", ":")) else found + "/"


def course_id(course: Course, language: str | None = None) -> str:
    """`language`: the tag of a build per language. An LMS imports each language's package as a
    course of its own, so each has its own ids (…/social-media-ip/de)."""
    return base(course) + course.id + (f"/{language}" if language else "")


def au_id(course: Course, language: str | None = None) -> str:
    """The AU's publisher id: statements carry it in their grouping, and every choice,
    question and badge activity id starts with it."""
    return course_id(course, language) + "/au"


def mastery_score(course: Course) -> str:
    """The pass mark as cmi5's scaled decimal (0 to 1, at most four places)."""
    return f"{course.pass_mark / 100:.2f}"


def course_structure(course: Course, language: str | None = None) -> str:
    title = f'<langstring lang="{escape(course.language)}">{escape(course.title)}</langstring>'
    text = course.description or course.title
    description = f'<langstring lang="{escape(course.language)}">{escape(text)}</langstring>'
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<courseStructure xmlns="{NAMESPACE}">
  <course id="{escape(course_id(course, language))}">
    <title>{title}</title>
    <description>{description}</description>
  </course>
  <au id="{escape(au_id(course, language))}" moveOn="{MOVE_ON}" masteryScore="{mastery_score(course)}" launchMethod="AnyWindow">
    <title>{title}</title>
    <description>{description}</description>
    <url>{LAUNCH}</url>
  </au>
</courseStructure>
"""


def package_files(course: Course, content: dict[str, bytes], language: str | None = None) -> dict[str, bytes]:
    """The rendered files with `cmi5.xml` at the root (cmi5 section 14.1)."""
    files = dict(content)
    files["cmi5.xml"] = course_structure(course, language).encode("utf-8")
    return files

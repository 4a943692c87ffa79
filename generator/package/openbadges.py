"""Each badge as an Open Badges 3.0 Achievement (JSON-LD), shipped in the package.

An organisation that issues credentials from its own badge platform imports
these definitions; the course itself never issues or signs anything. Ids are
`urn:uuid:` names derived from the course and badge ids, so rebuilding gives
the same ids, and images are embedded as data URIs, so a definition stands alone.
"""
from __future__ import annotations

import base64
import json

from ..model import Badge, Course

CONTEXT = ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
NAMESPACE = "5b0d3e4c-6f1a-4f5e-9a57-0c0f5e7a1c2b"  # coursegen's own namespace for uuid5 ids
MEDIA_TYPES = {".svg": "image/svg+xml", ".png": "image/png"}


def achievement_id(course: Course, badge: Badge) -> str:
    import uuid  # only for courses with badges: it costs a small build a few milliseconds

    return f"urn:uuid:{uuid.uuid5(uuid.UUID(NAMESPACE), f'{course.id}/{badge.id}')}"


def achievement(course: Course, badge: Badge) -> dict:
    criteria = badge.description or badge.title
    if badge.when is not None:
        criteria += f' Earned in the course "{course.title}" (version {course.version}) when: `{badge.when.source}`.'
    else:
        criteria += f' Earned on completing the course "{course.title}" (version {course.version}).'
    data = {
        "@context": CONTEXT,
        "id": achievement_id(course, badge),
        "type": ["Achievement"],
        "achievementType": "Badge",
        "name": badge.title,
        "description": badge.description or badge.title,
        "criteria": {"narrative": criteria},
        "tag": [course.id, badge.id],
        "version": course.version,
    }
    language = course.language.split("-")[0].lower()
    if language.isalpha() and 2 <= len(language) <= 4:
        data["@language"] = language
    if badge.icon is not None:
        encoded = base64.b64encode(badge.icon.read_bytes()).decode("ascii")
        media = MEDIA_TYPES.get(badge.icon.suffix.lower(), "application/octet-stream")
        data["image"] = {"id": f"data:{media};base64,{encoded}", "type": "Image", "caption": badge.title}
    return data


def files(course: Course) -> dict[str, bytes]:
    """badges/<badge-id>.json for every badge, in stable bytes."""
    return {f"badges/{badge.id}.json": (json.dumps(achievement(course, badge), indent=2, ensure_ascii=False)
                                        + "\n").encode("utf-8")
            for badge in course.badges}

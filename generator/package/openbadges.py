"""Each badge as an Open Badges 3.0 Achievement (JSON-LD), shipped in the package.

An organisation that issues credentials from its own badge platform imports
these definitions; the course itself never issues or signs anything. Ids are
`urn:uuid:` names derived from the course and badge ids, so rebuilding gives
the same ids, and images are embedded as data URIs, so a definition stands alone.
"""
from __future__ import annotations

import base64
import json
import re
import uuid
from typing import Mapping

from ..model import Badge, Course

CONTEXT = ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
NAMESPACE = uuid.UUID("5b0d3e4c-6f1a-4f5e-9a57-0c0f5e7a1c2b")  # coursegen's own namespace for uuid5 ids
MEDIA_TYPES = {".svg": "image/svg+xml", ".png": "image/png"}


def achievement_id(course: Course, badge: Badge) -> str:
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, f'{course.id}/{badge.id}')}"


def achievement(course: Course, badge: Badge, labels: Mapping[str, object]) -> dict:
    """`labels`: the course's words (the runtime's table, in the course's language), which
    hold the criteria's sentences."""
    criteria = badge.description or badge.title
    values = {"course": course.title, "version": course.version,
              "when": f"`{badge.when.source}`" if badge.when is not None else ""}
    sentence = str(labels["badgeCriteriaWhen" if badge.when is not None else "badgeCriteria"])
    criteria += " " + re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group()), sentence)
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
    data["inLanguage"] = course.language  # the Achievement's own language (BCP 47), as OB 3.0 defines it
    if badge.icon is not None:
        encoded = base64.b64encode(badge.icon.read_bytes()).decode("ascii")
        media = MEDIA_TYPES.get(badge.icon.suffix.lower(), "application/octet-stream")
        data["image"] = {"id": f"data:{media};base64,{encoded}", "type": "Image", "caption": badge.title}
    return data


def files(course: Course, labels: Mapping[str, object]) -> dict[str, bytes]:
    """badges/<badge-id>.json for every badge, in stable bytes."""
    return {f"badges/{badge.id}.json": (json.dumps(achievement(course, badge, labels), indent=2, ensure_ascii=False)
                                        + "\n").encode("utf-8")
            for badge in course.badges}

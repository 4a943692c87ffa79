"""Images, badge icons and character portraits: the course's own files, what they claim to be, within size limits.

An image is accepted by its content, not its name: PNG, JPEG, GIF and WebP by
their first bytes, SVG by its root element and then only as a plain drawing
(opened on its own, an SVG is a document that may run script). The name must
agree with the content, because browsers and LMS web servers go by the name.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from ..diagnostics import Diagnostics, Location
from ..model import Badge, Course
from . import files

# type -> the names it may carry
SUFFIXES = {"PNG": (".png",), "JPEG": (".jpg", ".jpeg"), "GIF": (".gif",), "WebP": (".webp",), "SVG": (".svg",)}
ICON_TYPES = ("SVG", "PNG")  # what Open Badges allows
ALLOWED = {"image": "a PNG, JPEG, GIF, WebP or SVG image", "badge icon": "an SVG or PNG image",
           "portrait": "an SVG or PNG image", "logo": "an SVG or PNG image"}
# A theme's font file, by its first bytes: WOFF2, WOFF, TrueType, OpenType.
FONT_MAGIC = {b"wOF2": ".woff2", b"wOFF": ".woff", b"\x00\x01\x00\x00": ".ttf", b"true": ".ttf", b"OTTO": ".otf"}

_SVG_START = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?"
                        rb"(?:(?:<!--(?:(?!-->).)*-->|<!DOCTYPE[^>\[]*(?:\[[^\]]*\])?\s*>)\s*)*<svg[\s>/]", re.DOTALL)
SVG_DANGER = re.compile(r"<\s*(script|foreignObject|iframe|embed|object)\b|\son[a-z]+\s*=|javascript:|"
                        r"(?:href|src)\s*=\s*[\"']?\s*(?:https?:)?//|@import|url\(\s*[\"']?\s*(?:https?:)?//|"
                        r"<!ENTITY",  # entities expand in the learner's browser: no "billion laughs" there either
                        re.IGNORECASE)


def image_type(data: bytes) -> str | None:
    """PNG, JPEG, GIF, WebP or SVG by content; None for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WebP"
    if _SVG_START.match(data[:65536]):
        return "SVG"
    return None


def check_images(course: Course, diags: Diagnostics) -> None:
    """Every image and badge icon: inside the root, present, within the limits, what its name says;
    and the whole course within the package limit."""
    examined: dict[tuple, tuple[Path | None, int, list[str]]] = {}
    shipped: dict[Path, tuple[int, str]] = {}  # resolved path -> (size, the name as an author wrote it)
    named = [(image.source, image.reference, image.location, "image")
             for span in course.markdown_spans() for image in span.images]
    named += [(badge.icon, _icon_name(badge, course), badge.icon_location or badge.location, "badge icon")
              for badge in course.badges if badge.icon is not None]
    named += [(c.portrait, os.path.relpath(c.portrait, Path(m.source).parent), c.portrait_location or c.location,
               "portrait") for m in course.modules for c in getattr(m, "characters", ()) if c.portrait is not None]
    theme = course.theme
    if theme and theme.logo is not None:
        named.append((theme.logo, os.path.relpath(theme.logo, course.source.parent), theme.logo_location or theme.location,
                      "logo"))
    for path, shown, where, what in named:
        key = (path, shown, what)
        if key not in examined:  # a picture used on many pages is read once
            found = Diagnostics()
            resolved = files.locate(course.root, path, shown, where, found, what)
            size = _examine(resolved, shown, what, course, found) if resolved else 0
            examined[key] = (resolved, size, [d.message for d in found.items])
        resolved, size, messages = examined[key]
        for message in messages:
            diags.error(where, message)
        if resolved and not messages:
            shipped.setdefault(resolved, (size, shown))
    if theme and theme.font_file is not None:
        shown = os.path.relpath(theme.font_file, course.source.parent)
        where = theme.font_location or theme.location
        found = Diagnostics()
        resolved = files.locate(course.root, theme.font_file, shown, where, found, "font")
        size = _examine_font(resolved, shown, course, found) if resolved else 0
        for item in found.items:
            diags.error(where, item.message)
        if resolved and not found.items:
            shipped.setdefault(resolved, (size, shown))
    _check_package(course, shipped, diags)


def _examine_font(path: Path, shown: str, course: Course, diags: Diagnostics) -> int:
    """A font shipped in the package: present, within the asset limit, a font by its first bytes."""
    where = Location(path)
    if not path.is_file():
        diags.error(where, f'font not found: "{shown}"')
        return 0
    data = files.read_bytes(path, course.limits.asset, diags, where, shown, "over the limit for one file: make it "
                            "smaller (a WOFF2 subset), or raise limits: asset: in course.yaml", subject=f'font "{shown}"')
    if data is None:
        return 0
    suffix = FONT_MAGIC.get(data[:4])
    if suffix is None:
        diags.error(where, f'font "{shown}" is not a WOFF2, WOFF, TrueType or OpenType font')
    elif Path(shown).suffix.lower() != suffix and not (suffix == ".ttf" and Path(shown).suffix.lower() == ".otf"):
        diags.error(where, f'font "{shown}" holds a {suffix[1:]} font but is named {Path(shown).suffix}: rename it')
    return len(data)


def _icon_name(badge: Badge, course: Course) -> str:
    return os.path.relpath(badge.icon, course.source.parent) if badge.icon.is_absolute() else str(badge.icon)


def _from_elsewhere(path: Path, shown: str, course: Course) -> str:
    """A path written from the course folder instead of from the file that names it, when the
    file is there: the path to write instead."""
    parts = Path(shown).parts
    if not parts or Path(shown).is_absolute() or ".." in parts:
        return ""
    named_from = path.parents[len(parts) - 1]  # the folder of the file that names it
    meant = course.source.parent / shown
    if named_from == course.source.parent or not meant.is_file():
        return ""
    return (f": a path is relative to the file that names it, so from there write "
            f'"{Path(os.path.relpath(meant, named_from)).as_posix()}"')


def _examine(path: Path, shown: str, what: str, course: Course, diags: Diagnostics) -> int:
    """Report what is wrong with one image or icon file; its size."""
    where = Location(path)  # replaced by each reference's own location
    subject = f'{what} "{shown}"'
    if not path.is_file():
        diags.error(where, f'{what} not found: "{shown}"' + (files.nearby(path, shown) or _from_elsewhere(path, shown, course)))
        return 0
    limit = course.limits.asset
    data = files.read_bytes(path, limit, diags, where, shown, f"over the limit of {files.format_size(limit)} "
                            "for one image or icon: make it smaller, or raise limits: asset: in course.yaml",
                            subject=subject)
    if data is None:
        return 0
    kind = image_type(data)
    allowed = ICON_TYPES if what in ("badge icon", "portrait", "logo") else tuple(SUFFIXES)
    if kind is None:
        content = "is empty" if not data else "holds text" if _is_text(data) else "holds other data"
        diags.error(where, f"{subject} is not {ALLOWED[what]} (the file {content})")
    elif kind not in allowed:
        diags.error(where, f"{subject} holds a {kind} image: a {what} must be an SVG or PNG image")
    elif Path(shown).suffix.lower() not in SUFFIXES[kind]:
        diags.error(where, f"{subject} holds a {kind} image but is named {Path(shown).suffix or 'without a suffix'}"
                    f": rename it to {SUFFIXES[kind][0]}, since browsers and LMS servers go by the name")
    elif kind == "SVG":
        text = data.decode("utf-8", "replace")
        match = SVG_DANGER.search(text)
        if match:
            line = text.count("\n", 0, match.start()) + 1
            diags.error(where, f'"{shown}" holds {match.group().strip()!r} (line {line} of the SVG): images may not '
                        "carry script, event handlers or links to other sites")
    return len(data)


def _is_text(data: bytes) -> bool:
    try:
        data[:4096].decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start > 4090  # a character cut at the end of the sample
    return True


def _check_package(course: Course, shipped: dict[Path, tuple[int, str]], diags: Diagnostics) -> None:
    """The modules, images and icons together within `limits: package:`."""
    sizes = dict(shipped)
    for module in course.modules:
        try:
            sizes.setdefault(Path(module.source).resolve(), (Path(module.source).stat().st_size,
                                                             os.path.relpath(module.source, course.source.parent)))
        except OSError:
            continue
    total, limit = sum(size for size, _ in sizes.values()), course.limits.package
    if total <= limit:
        return
    largest = sorted(sizes.values(), key=lambda item: (-item[0], item[1]))[:3]
    listed = ", ".join(f'"{name}" ({files.format_size(size)})' for size, name in largest)
    diags.error(course.limits.package_location or course.location,
                f"the course's modules, images and icons come to {files.format_size(total)}, over the package "
                f"limit of {files.format_size(limit)}; the largest are {listed}: make them smaller, or raise "
                "limits: package: in course.yaml")

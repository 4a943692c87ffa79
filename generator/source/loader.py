"""Files → course model: `course.yaml`, module front matter and bodies.

Loading reads every file the course names and reports what it cannot read
(missing files, YAML syntax, front matter) as diagnostics; the structure of
module bodies is delegated to `parser`. Nothing is written.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from . import expressions, files, parser, yamlmarks
from ..diagnostics import Diagnostics, Location, did_you_mean
from ..model import (MB, Badge, Character, Course, Lesson, Limits, Module, Objective, Palette, Quiz, Root, Scenario,
                     Theme, Unread)
from ..rules import COLOUR, ID, colour
from .files import read_text
from .images import check_images  # noqa: F401 - the pipeline's name for the image checks
from .yamlmarks import Fields, Value

COURSE_KEYS = ("id", "title", "version", "language", "languages", "description", "objectives", "pass_mark",
               "xapi_base", "modules", "badges", "root", "limits", "theme")
THEME_KEYS = ("logo", "primary", "accent", "background", "font", "dark")
SCHEME_KEYS = ("primary", "accent", "background")
# The light scheme's colours where a theme leaves them out: the runtime's own (runtime/style.css).
LIGHT = {"primary": "#0b57a4", "accent": "#b3470b", "background": "#ffffff"}
FONT_FILES = (".woff2", ".woff", ".ttf", ".otf")
# A font stack of installed fonts: names of letters, digits, spaces and hyphens, quoted or not.
FONT_STACK = re.compile(r'^\s*(?:"[\w -]+"|[\w -]+)(?:\s*,\s*(?:"[\w -]+"|[\w -]+))*\s*$')
LIMIT_KEYS = ("asset", "package")
BADGE_KEYS = ("id", "title", "description", "icon", "when")
MODULE_KEYS = {
    "lesson": ("id", "title", "kind", "attest", "required"),
    "scenario": ("id", "title", "kind", "characters", "shuffle"),
    "quiz": ("id", "title", "kind", "pass_mark", "shuffle", "draw", "attempts", "retakes"),
}
# Why a key of another kind of module means nothing in this one, where it is a likely slip.
WHY_NOT_HERE = {
    ("scenario", "retakes"): "a scenario not passed can always be replayed from the results",
    ("scenario", "pass_mark"): "a scenario's points count towards the course's pass_mark, in course.yaml",
    ("lesson", "characters"): "dialogue is spoken only in a scenario",
}
CHARACTER_KEYS = ("name", "role", "portrait")
ICON_SUFFIXES = (".svg", ".png")  # badge icons and character portraits


def find_course_file(argument: str | Path) -> Path:
    """COURSE may be a course.yaml or the folder holding one."""
    path = Path(argument)
    return path / "course.yaml" if path.is_dir() else path


def load_course(course_file: Path, diags: Diagnostics) -> Course | None:
    course_file = course_file.absolute()
    diags.note_file(course_file)
    text = read_text(course_file, diags, Location(course_file))
    if text is None:
        return None
    root = yamlmarks.load(text, course_file, diags)
    if root is None:
        return None
    fields = Fields(root, "the course file", diags, COURSE_KEYS)
    course_id = fields.string("id", required=True) or ""
    title = fields.string("title", required=True) or ""
    version = fields.string("version", required=True) or ""
    language = fields.string("language", default="en") or "en"
    pass_value = fields.get("pass_mark")
    pass_mark = fields.integer("pass_mark", 80, 0, 100)
    owned = files.find_root(course_file, fields.get("root"), diags)
    limits = _load_limits(fields.get("limits"), diags)
    unread: list[Unread] = []
    modules = _load_modules(fields, course_file, owned, limits, diags, unread)
    badges = _load_badges(fields.get("badges"), course_file, diags)
    languages = _load_languages(fields.get("languages"), diags)
    locations = {key: fields.value_location(key) for key in ("id", "title", "version", "language", "languages",
                                                             "description", "xapi_base")
                 if fields.get(key)}
    locations.update({f"languages.{i}": where for i, (_, where) in enumerate(languages)})
    return Course(course_id, title, version, language, fields.string("description", default="") or "",
                  pass_mark, pass_value.location if pass_value is not None and pass_value.data is not None else None,
                  tuple(modules), tuple(badges), course_file, root.location, locations,
                  tuple(tag for tag, _ in languages), owned, limits, fields.string("xapi_base"),
                  tuple(unread), _load_objectives(fields.get("objectives"), text.splitlines(), diags),
                  _load_theme(fields.get("theme"), fields.key_location("theme"), course_file, diags))


def _load_theme(value: Value | None, where: Location, course_file: Path, diags: Diagnostics) -> Theme | None:
    """`theme:`: a logo, colours for the light scheme (and a dark one), a font."""
    if value is None or value.data is None:
        return None
    fields = Fields(value, "the theme", diags, THEME_KEYS)
    light = _palette(fields, LIGHT, diags)
    dark = None
    if fields.get("dark") is not None:
        dark_fields = Fields(fields.get("dark"), "the theme's dark scheme", diags, SCHEME_KEYS)
        missing = [key for key in SCHEME_KEYS if dark_fields.get(key) is None]
        if missing:
            diags.error(fields.key_location("dark"), f"the dark scheme needs all three colours; add "
                        + ", ".join(f"{key}:" for key in missing))
        dark = _palette(dark_fields, {key: "#000000" for key in SCHEME_KEYS}, diags)
    logo = None
    logo_text = fields.string("logo")
    if logo_text:
        logo = course_file.parent / logo_text
        if logo.suffix.lower() not in ICON_SUFFIXES:
            diags.error(fields.value_location("logo"), f'the logo "{logo_text}" must be an SVG or PNG file')
            logo = None
    font, font_file, font_text = None, None, fields.string("font")
    if font_text:
        if font_text.lower().endswith(FONT_FILES):
            font_file = course_file.parent / font_text
        elif FONT_STACK.match(font_text):
            font = ", ".join(part.strip() for part in font_text.split(","))
        else:
            diags.error(fields.value_location("font"), 'font is a list of installed fonts, like "Segoe UI", Roboto, '
                        "sans-serif, or a font file in the course (.woff2, .woff, .ttf or .otf); fonts are never "
                        "fetched from the internet")
    return Theme(light, dark, logo, font, font_file, where, fields.value_location("logo") if logo else None,
                 fields.value_location("font") if font_text else None)


def _palette(fields: Fields, defaults: dict[str, str], diags: Diagnostics) -> Palette:
    colours, locations = {}, {}
    for key in SCHEME_KEYS:
        value = fields.get(key)
        colours[key], locations[key] = defaults[key], fields.key_location(key)
        if value is None:
            continue
        locations[key] = value.text_location if value.data is not None else fields.key_location(key)
        text = value.data if isinstance(value.data, str) else None
        if text is None or not COLOUR.match(text):
            shown = "nothing" if value.data is None else f'"{value.data}"'
            diags.error(locations[key], f"{key} must be a colour like \"#0b57a4\", in quotes (YAML reads an "
                        f"unquoted # as the start of a comment), not {shown}")
            continue
        colours[key] = colour(text)
    return Palette(colours["primary"], colours["accent"], colours["background"], locations)


def _load_objectives(value: Value | None, lines: list[str], diags: Diagnostics) -> tuple[Objective, ...]:
    """What the learner will be able to do: a list of short sentences for the cover. `lines`: the
    course file's, to tell two objectives YAML ran together."""
    if value is None or value.data is None:
        return ()
    items = value.data if isinstance(value.data, list) else None
    if items is None:
        diags.error(value.location, '"objectives" must be a list of short sentences, one per line starting with "- "')
        return ()
    objectives = []
    for item in items:
        if not isinstance(item.data, str) or not item.data.strip():
            diags.error(item.location, "an objective must be a sentence of text")
        elif joined := _run_together(item, lines):
            diags.error(item.text_location, f'"{item.data}" is {"two" if len(joined) == 2 else len(joined)} objectives run together: the line '
                        f'with "- {joined[1].data}" is indented more than the "-" above it, so YAML reads it as '
                        "more of this objective: line the dashes up")
            objectives += [Objective(part.data, part.location) for part in joined]  # read as meant
        else:
            objectives.append(Objective(item.data.strip(), item.text_location))
    return tuple(objectives)


def _run_together(item: Value, lines: list[str]) -> list[Value] | None:
    """A list item YAML read on from the lines below it because they are indented more than its
    "-": each such line starting with "- " was meant as an item of its own. None otherwise."""
    if item.quoted or " - " not in item.data:
        return None
    parts = item.data.split(" - ")
    at = item.location.line  # the item's first line, 1-based; the parts that follow, one a line
    found = [Value(parts[0], item.text_location)]
    for offset, part in enumerate(parts[1:], start=1):
        if at + offset > len(lines):
            return None
        text = lines[at + offset - 1]
        column = len(text) - len(text.lstrip(" "))
        if column < item.location.column - 1 or text[column:] != f"- {part}":
            return None
        found.append(Value(part, Location(item.location.path, at + offset, column + 3)))
    return found


SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(KB|MB|GB)\s*$", re.IGNORECASE)
UNITS = {"KB": 1024, "MB": MB, "GB": 1024 * MB}


def _load_limits(value: Value | None, diags: Diagnostics) -> Limits:
    """`limits:` in course.yaml: sizes like "8 MB" that raise (or lower) the defaults."""
    if value is None or value.data is None:
        return Limits()
    fields = Fields(value, "limits", diags, LIMIT_KEYS)
    sizes = {}
    for key in LIMIT_KEYS:
        entry = fields.get(key)
        if entry is None or entry.data is None:
            continue
        match = SIZE.match(str(entry.data)) if isinstance(entry.data, (str, int, float)) else None
        size = int(float(match.group(1)) * UNITS[match.group(2).upper()]) if match else 0
        if size <= 0:
            diags.error(entry.text_location, f'"{key}" must be a size like 8 MB or 500 KB, not "{entry.data}"')
            continue
        sizes[key] = size
    return Limits(**sizes, package_location=fields.value_location("package") if "package" in sizes else None)


def _load_modules(fields: Fields, course_file: Path, owned: Root, limits: Limits, diags: Diagnostics,
                  unread: list[Unread]) -> list[Module]:
    value = fields.required("modules")
    if value is None:
        return []
    if not isinstance(value.data, list) or not value.data:
        diags.error(value.location, '"modules" must be a list of module files, in the learner\'s order')
        return []
    modules = []
    listed: set[Path] = set()
    for item in _entries(value.data, course_file, diags):
        if isinstance(item.data, dict) and "id" in item.data and {"title", "when", "icon"} & set(item.data):
            diags.error(item.location, 'this looks like a badge, listed under "modules": move it under "badges"')
            continue
        if not isinstance(item.data, str) or not item.data.strip():
            diags.error(item.location, "a module entry must be the path of a Markdown file")
            continue
        path = Path(os.path.normpath((course_file.parent / item.data).absolute()))
        if path in listed:
            diags.error(item.text_location, f'"{item.data}" is listed twice; a module appears once in a course')
            continue
        listed.add(path)
        if files.locate(owned, path, item.data, item.text_location, diags, "module") is None:
            unread.append(Unread(path, path.stem))
            continue
        module = load_module(path, diags, item.text_location, item.data, limits)
        if module is not None:
            modules.append(module)
        else:
            unread.append(Unread(path, _guess_id(path)))
    return modules


JOINED = re.compile(r"^(?P<first>\S+\.md)[ \t]+-[ \t]+(?P<second>\S.*\.md)$")


def _entries(items: list[Value], course_file: Path, diags: Diagnostics) -> list[Value]:
    """The module list, with two entries YAML ran together read apart (and said so): an item
    indented under the one above continues its text, "lesson.md - scenario.md"."""
    entries = []
    for item in items:
        joined = JOINED.match(item.data) if isinstance(item.data, str) else None
        if joined and not (course_file.parent / item.data).is_file():
            diags.error(item.text_location, f'"{item.data}" is two modules run together: the line with '
                        f'"- {joined.group("second")}" is indented more than the "-" above it, so YAML reads it as '
                        'more of this entry: line the dashes up')
            entries += [Value(joined.group("first"), item.location, item.quoted),
                        Value(joined.group("second"), Location(item.location.path, item.location.line + 1,
                                                               item.location.column))]
        else:
            entries.append(item)
    return entries


FRONT_MATTER_ID = re.compile(r"^id:[ \t]*[\"']?([a-z][a-z0-9-]*)", re.M)


def _guess_id(path: Path) -> str:
    """The id a module that failed to load would have had, to tell what only follows from it."""
    if not path.is_file():  # missing, or not a regular file: a named pipe would never answer
        return path.stem
    try:
        with open(path, "rb") as file:
            head = file.read(4096).decode("utf-8", "replace")
    except (OSError, ValueError):
        head = ""
    found = FRONT_MATTER_ID.search(head)
    return found.group(1) if found else path.stem


FRONT_MATTER_END = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M)


def load_module(path: Path, diags: Diagnostics, named_at: Location, shown: str | None = None,
                limits: Limits = Limits()) -> Module | None:
    path = Path(os.path.normpath(path.absolute()))
    text = read_text(path, diags, named_at, shown, limits.package,
                     f"more than the whole package may hold ({files.format_size(limits.package)}); raise limits: "
                     "package: in course.yaml if it must be this large")
    if text is None:
        return None
    diags.note_file(path)
    if not text.startswith("---\n"):
        diags.error(Location(path, 1, 1), "a module starts with YAML front matter: add at the top a line ---, "
                    "then id, title and kind, then a line ---")
        return None
    end = FRONT_MATTER_END.search(text, 4)
    if not end:
        diags.error(Location(path, 1, 1), "the front matter is not closed: add a line --- after it")
        return None
    front_text = text[4:end.start()]
    body_first_line = text[: end.end()].count("\n") + 2
    root = yamlmarks.load(front_text, path, diags, line_offset=1)
    if root is None:
        return None
    kind_value = root.data.get("kind") if isinstance(root.data, dict) else None
    kind = kind_value.value.data if kind_value else None
    if not isinstance(kind, str) or kind not in MODULE_KEYS:
        if kind is None:
            where = kind_value.key_location if kind_value else (Location(path, 2, 1) if not root.data else root.location)
            diags.error(where, 'the front matter is missing the required key "kind": add a line kind: lesson, '
                        "kind: scenario or kind: quiz")
        elif isinstance(kind, (dict, list)):
            diags.error(kind_value.value.location, "kind must be one word: lesson, scenario or quiz")
        else:
            diags.error(kind_value.value.text_location, f'kind must be lesson, scenario or quiz, not "{kind}"'
                        + did_you_mean(str(kind), MODULE_KEYS))
        return None
    fields = Fields(root, f"the front matter of a {kind}", diags, MODULE_KEYS[kind], _elsewhere(kind))
    module_id = fields.string("id", required=True) or ""
    title = fields.string("title", required=True) or ""
    location = fields.value_location("id") if isinstance(root.data, dict) else Location(path, 1, 1)
    source = parser.Source(text[end.end() + 1:], path, body_first_line)
    if kind == "lesson":
        attest = fields.string("attest")
        if fields.get("required") and not attest:
            diags.error(fields.key_location("required"), '"required" belongs to an attestation: add attest: with the '
                        "statement the learner confirms, or remove required:")
        return Lesson(module_id, title, tuple(parser.lesson_pages(source, diags)), path, location, attest,
                      fields.boolean("required", True), fields.value_location("attest") if attest else None)
    if kind == "scenario":
        characters = _load_characters(fields.get("characters"), path, diags)
        nodes, headings = parser.scenario_nodes(source, {c.key: c for c in characters}, diags)
        return Scenario(module_id, title, tuple(characters), tuple(nodes), path, location,
                        fields.boolean("shuffle", True), headings=tuple(headings))
    intro, questions = parser.quiz_questions(source, diags)
    return Quiz(module_id, title, tuple(questions), intro, fields.integer("pass_mark", None, 0, 100),
                fields.boolean("shuffle", True), fields.integer("draw", None, 1),
                fields.integer("attempts", 1, 1), path, location,
                fields.value_location("draw") if fields.get("draw") else location,
                _retakes(fields, diags))


def _retakes(fields: Fields, diags: Diagnostics) -> int | None:
    """How many rounds a quiz allows from the results; None, the default, is no limit."""
    value = fields.get("retakes")
    if value is not None and isinstance(value.data, str):  # "unlimited", "none", "no limit"…
        diags.error(value.text_location, f'"retakes" must be a whole number, not "{value.data}": leave the line '
                    "out for no limit (the default), or write 0 for none")
        return None
    return fields.integer("retakes", None, 0)


def _elsewhere(kind: str) -> dict[str, str]:
    """The front matter keys of the other kinds of module, each with what to do with it in this one."""
    hints = {}
    for key in {key for keys in MODULE_KEYS.values() for key in keys} - set(MODULE_KEYS[kind]):
        takers = " or a ".join(other for other, keys in MODULE_KEYS.items() if key in keys)
        why = f" ({WHY_NOT_HERE[kind, key]})" if (kind, key) in WHY_NOT_HERE else ""
        hints[key] = f'only a {takers} takes "{key}": remove it{why}'
    return hints


def _load_characters(value: Value | None, module_file: Path, diags: Diagnostics) -> list[Character]:
    if value is None or value.data is None:
        return []
    if not isinstance(value.data, dict):
        diags.error(value.location, '"characters" must map each speaker key to { name: …, role: … }')
        return []
    characters = []
    for key, entry in value.data.items():
        fields = Fields(entry.value, f'character "{key}"', diags, CHARACTER_KEYS)
        name = fields.string("name", required=True) or key
        role = fields.string("role", default="") or ""
        if not ID.match(key):
            diags.error(entry.key_location, f'character key "{key}" must be lower-case letters, digits and hyphens')
        portrait = _portrait(fields, module_file, diags)
        characters.append(Character(key, name, role, entry.key_location, portrait,
                                    fields.value_location("portrait") if portrait else None))
    return characters


def _load_languages(value: Value | None, diags: Diagnostics) -> list[tuple[str, Location]]:
    """The translations' language tags with their locations (checked in generator/translate)."""
    if value is None or value.data is None:
        return []
    if not isinstance(value.data, list):
        diags.error(value.location, '"languages" must be a list of language tags, like [de, fr, ar]')
        return []
    found = []
    for item in value.data:
        if isinstance(item.data, bool):  # YAML reads a bare no (Norwegian) as false
            diags.error(item.location, 'a language must be a language tag; quote it ("no") so YAML does '
                        "not read it as true/false")
            continue
        if not isinstance(item.data, str):
            diags.error(item.location, "a language must be a language tag like de or pt-BR")
            continue
        found.append((item.data, item.text_location))
    return found


def _portrait(fields: Fields, module_file: Path, diags: Diagnostics) -> Path | None:
    """A character's portrait, by name: its file is examined with the images (source/images)."""
    value, text = fields.get("portrait"), fields.string("portrait")
    if not text or value is None:
        return None
    path = module_file.parent / text
    if path.suffix.lower() not in ICON_SUFFIXES:
        diags.error(value.text_location, f'portrait "{text}" must be an SVG or PNG file')
        return None  # its content is not examined: the name is wrong already
    return path


def _load_badges(value: Value | None, course_file: Path, diags: Diagnostics) -> list[Badge]:
    if value is None or value.data is None:
        return []
    if not isinstance(value.data, list):
        diags.error(value.location, '"badges" must be a list')
        return []
    badges = []
    for item in value.data:
        if isinstance(item.data, str) and item.data.strip().endswith(".md"):
            diags.error(item.text_location, f'"{item.data}" is a module file, listed under "badges": move it under '
                        '"modules"')
            continue
        fields = Fields(item, "a badge", diags, BADGE_KEYS)
        badge_id = fields.string("id", required=True) or ""
        title = fields.string("title", required=True) or ""
        icon = None
        icon_value = fields.get("icon")
        icon_text = fields.string("icon")
        if icon_text and icon_value is not None:
            icon = course_file.parent / icon_text
            if icon.suffix.lower() not in ICON_SUFFIXES:
                diags.error(icon_value.text_location, f'badge icon "{icon_text}" must be an SVG or PNG file')
                icon = None  # its content is not examined: the name is wrong already
        when = None
        when_value = fields.get("when")
        when_text = fields.string("when")
        if when_text is not None and when_value is not None:
            when = expressions.parse(when_text, when_value.text_location, diags)
        badges.append(Badge(badge_id, title, fields.string("description", default="") or "", icon, when,
                            item.location, fields.value_location("id"),
                            icon_value.text_location if icon_value is not None else None))
    return badges

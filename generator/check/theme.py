"""A course's theme (`theme:` in course.yaml): the colours every view is drawn with, and
whether each pair a learner must read or find meets WCAG 2.1 AA.

The runtime's stylesheet draws with a handful of colours (runtime/style.css's custom
properties). A theme sets three of them per scheme (primary, accent, background); the others
are this module's defaults for the scheme, or are derived from those three (the header's
tint, the tints behind right and wrong). `palette` writes every one of them, so the package's
theme.css and the contrast check read the same values. Pure functions: no files.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from ..model import Palette, Theme
from ..rules import colour

TEXT, NON_TEXT = 4.5, 3.0  # WCAG 2.1 AA: 1.4.3 text, 1.4.11 focus rings and control borders

# The colours a theme does not set, per scheme: text, quieter text, right, wrong, neutral.
DEFAULTS = {
    "light": {"ink": "#1b1f24", "muted": "#4a5260", "good": "#17663a", "bad": "#a4221b", "neutral": "#5b4b00"},
    "dark": {"ink": "#e8eaed", "muted": "#b4bbc5", "good": "#7fd19b", "bad": "#ff9d94", "neutral": "#e3c85f"},
}


def rgb(text: str) -> tuple[int, int, int]:
    body = colour(text)[1:]
    return int(body[0:2], 16), int(body[2:4], 16), int(body[4:6], 16)


def hexa(values) -> str:
    return "#" + "".join(f"{max(0, min(255, round(v))):02x}" for v in values)


def mix(a: str, b: str, share: float) -> str:
    """`share` of b over a."""
    return hexa(x + (y - x) * share for x, y in zip(rgb(a), rgb(b)))


def luminance(colour: str) -> float:
    """Relative luminance (WCAG 2.1)."""
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(v) for v in rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def shown(ratio: float) -> str:
    """A ratio as WCAG tools print it, rounded down so a failing one never reads as passing."""
    return f"{int(ratio * 100) / 100:.2f}:1"


def palette(theme_colours: Palette, scheme: str) -> dict[str, str]:
    """Every colour of a scheme, by the stylesheet's names (--brand, --bg, ...)."""
    d = DEFAULTS[scheme]
    bg, primary, accent = theme_colours.background, theme_colours.primary, theme_colours.accent
    # Text on primary buttons: white or the scheme's darkest ink, whichever reads better.
    on_primary = max(("#ffffff", "#111418"), key=lambda c: contrast(c, primary))
    colours = {"bg": bg, "brand": primary, "brand-ink": on_primary, "focus": accent,
               "soft": mix(bg, d["ink"], 0.06), "line": mix(bg, d["ink"], 0.25), "track": mix(bg, d["ink"], 0.14),
               "hover": mix(bg, primary, 0.1), "brand-hover": mix(primary, on_primary == "#ffffff" and "#000000"
                                                                  or "#ffffff", 0.2)}
    colours.update(d)
    for kind in ("good", "bad", "neutral"):
        colours[f"{kind}-bg"] = mix(bg, d[kind], 0.12)
    return colours


@dataclass(frozen=True)
class Pair:
    """A foreground a learner must read (or find) on a background, and the contrast it needs."""

    what: str
    fg: str  # names in `palette`
    bg: str
    minimum: float


PAIRS = (
    Pair("text", "ink", "bg", TEXT), Pair("secondary text", "muted", "bg", TEXT),
    Pair("the header's text", "ink", "soft", TEXT), Pair("the header's secondary text", "muted", "soft", TEXT),
    Pair("links and button text", "brand", "bg", TEXT), Pair("button text on hover", "brand", "hover", TEXT),
    Pair("the text of primary buttons", "brand-ink", "brand", TEXT),
    Pair("the text of primary buttons on hover", "brand-ink", "brand-hover", TEXT),
    Pair("right answers", "good", "bg", TEXT), Pair("wrong answers", "bad", "bg", TEXT),
    Pair("neutral outcomes", "neutral", "bg", TEXT), Pair("a good outcome's banner", "good", "good-bg", TEXT),
    Pair("a bad outcome's banner", "bad", "bad-bg", TEXT), Pair("a neutral outcome's banner", "neutral", "neutral-bg", TEXT),
    Pair("focus rings", "focus", "bg", NON_TEXT), Pair("focus rings in the header", "focus", "soft", NON_TEXT),
    Pair("control borders", "brand", "bg", NON_TEXT), Pair("the progress bar", "brand", "track", NON_TEXT),
)


@dataclass(frozen=True)
class Shortfall:
    scheme: str
    pair: Pair
    colours: dict[str, str]
    ratio: float
    blame: str  # the theme's key to change: primary, accent or background
    suggestion: str  # the nearest colour for that key with which every pair passes


def shortfalls(theme: Theme) -> list[Shortfall]:
    """Every pair under its minimum, in each scheme the theme defines, with the nearest passing
    colour for the theme key it depends on."""
    found = []
    for scheme, colours_ in (("light", theme.light), ("dark", theme.dark)):
        if colours_ is None:
            continue
        colours = palette(colours_, scheme)
        for pair in PAIRS:
            ratio = contrast(colours[pair.fg], colours[pair.bg])
            if ratio + 1e-9 < pair.minimum:
                blame = _blame(pair)
                found.append(Shortfall(scheme, pair, colours, ratio, blame, nearest(colours_, scheme, blame)))
    return found


def _blame(pair: Pair) -> str:
    """The theme key a pair's colours come from: the accent (focus), the primary, else the background."""
    names = {pair.fg, pair.bg}
    if "focus" in names:
        return "accent"
    if names & {"brand", "brand-ink", "brand-hover", "hover"}:
        return "primary"
    return "background"


def passes(colours_: Palette, scheme: str, key: str | None = None) -> bool:
    """Every pair of the scheme passes (with `key`: every pair that colour is to blame for)."""
    colours = palette(colours_, scheme)
    return all(contrast(colours[p.fg], colours[p.bg]) + 1e-9 >= p.minimum for p in PAIRS
               if key is None or _blame(p) == key)


def nearest(colours_: Palette, scheme: str, key: str) -> str | None:
    """The colour closest to the theme's `key` (mixed towards black or white in 1% steps) with
    which every pair that colour is to blame for passes; None when none does."""
    start = getattr(colours_, key)
    for step in range(1, 101):
        for towards in ("#000000", "#ffffff"):
            candidate = mix(start, towards, step / 100)
            if passes(_with(colours_, key, candidate), scheme, key):
                return candidate
    return None


def _with(colours_: Palette, key: str, value: str) -> Palette:
    return replace(colours_, **{key: value})

"""How wide a line of map text will be, without a font at hand, and wrapping to a width.

The SVG is drawn without measuring (no browser, no font files), so widths are
estimated from per-class advances of DejaVu Sans, one of the wider common fonts:
text then fits in the narrower fonts most systems pick.
"""
from __future__ import annotations


def text_width(text: str, size: float, bold: bool = False, spacing: float = 0.0) -> float:
    """Pixels taken by `text` at `size` px; `spacing` is CSS letter-spacing in em."""
    width = 0.0
    for ch in text:
        if ch in "il.,:;|!'’ ()[]ftjrI-":
            width += 0.34
        elif ch in "mwMW@%\u26a0":
            width += 0.95
        elif ch.isdigit():
            width += 0.64
        elif ch.isupper():
            width += 0.69
        else:
            width += 0.58
    return (width * (1.16 if bold else 1.0) + spacing * len(text)) * size


def wrap(text: str, width: float, size: float, bold: bool = False, most: int = 3) -> list[str]:
    """Greedy word wrap to `width` px, at most `most` lines (the last cut with an ellipsis)."""
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(f"{lines[-1]} {word}", size, bold) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    if len(lines) > most:
        lines = lines[:most]
        lines[-1] = lines[-1].rstrip(".,;:") + "\u2026"
    return lines or [""]

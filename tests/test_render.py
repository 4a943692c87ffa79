"""Plain text skips the Markdown parser and comes out exactly as the parser would write it."""
from __future__ import annotations

import markdown
import nh3
import pytest

from repo import REPO

from generator import build
from generator.package import render


def slow(text: str) -> str:
    html = markdown.Markdown(extensions=["tables", "fenced_code", "sane_lists"], output_format="html").convert(text)
    return nh3.clean(html, tags=render.ALLOWED_TAGS, attributes=render.ALLOWED_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer",
                     set_tag_attribute_values={"a": {"target": "_blank"}})


SAMPLES = [
    "Hello world.", "It's \"quoted\" and has an apostrophe's mark.", "Two lines\nin one paragraph.",
    "First paragraph.\n\nSecond paragraph.", "  Leading spaces trimmed.\n", "Ends with a colon: like this",
    "A sentence - with a dash, 3.5 numbers and 10:30 times.", "Unicode: café, naïve, 日本語, emoji 🙂.",
    "Three\n\n\n\nbreaks between.", "Trailing newline\n", "a (parenthesis) and {braces} and ! and ~ and %",
]
MARKUP = ["**bold**", "a *b*", "- list", "1. one", "> quote", "# heading", "`code`", "[link](x)", "a & b",
          "a < b", "line  \nhard break", "    indented code", "a | b\n--|--\n1 | 2", "a_b", "=== setext"]


@pytest.mark.parametrize("text", SAMPLES)
def test_plain_text_comes_out_as_the_markdown_parser_writes_it(text):
    assert render.plain_paragraphs(text) == slow(text)


@pytest.mark.parametrize("text", MARKUP)
def test_text_with_markup_goes_through_the_parser(text):
    assert render.plain_paragraphs(text) is None


def test_every_plain_span_of_the_flagship_matches_the_parser():
    course = build.check(REPO / "course" / "course.yaml").course
    spans = [span.text for span in course.markdown_spans()]
    spans += [c.text for m in course.modules if m.kind == "scenario" for n in m.nodes for c in n.choices]
    fast = [text for text in spans if render.plain_paragraphs(text) is not None]
    assert len(fast) > len(spans) // 3  # the fast path is worth having
    for text in fast:
        assert render.plain_paragraphs(text) == slow(text), text


from hypothesis import given, settings, strategies as st  # noqa: E402

PROSE = st.text(alphabet=st.sampled_from(list("abcXYZ 019.,;:!?'\"()-+=~%$/\n\té")),
                max_size=80)


@settings(max_examples=1500, deadline=None, derandomize=True)
@given(PROSE)
def test_whatever_takes_the_fast_path_matches_the_parser(text):
    fast = render.plain_paragraphs(text)
    if fast is not None and text.strip():
        assert fast == slow(text)

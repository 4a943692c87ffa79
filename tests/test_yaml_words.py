"""YAML's syntax errors in an author's words (generator/source/yamlwords.py): for each common
slip, the line where it was made, the column of the offending text, and what to write instead,
whichever parser (libyaml or PyYAML's own) reported it and in whatever terms."""
from __future__ import annotations

import pytest
import yaml

from generator.source.yamlwords import explain

LOADERS = [loader for loader in (getattr(yaml, "CSafeLoader", None), yaml.SafeLoader) if loader is not None]

# (name, the YAML text, (line, column) from 1 as an editor shows them, the message)
CASES = [
    ("colon in a value", "id: a\ndescription: Rules: what you may share online\n", (2, 19),
     'this value holds a colon and a space, which YAML reads as the start of another key: put the whole value in '
     'quotes: description: "Rules: what you may share online"'),
    ("colon in a badge title", "badges:\n  - id: x\n    title: Badge: the best\n", (3, 17),
     'this value holds a colon and a space, which YAML reads as the start of another key: put the whole value in '
     'quotes: title: "Badge: the best"'),
    ("a tab indents a list item", "id: a\nmodules:\n\t- lesson.md\n", (3, 1),
     "a tab indents this line, and YAML indents with spaces only: replace the tab with spaces (two for each level)"),
    ("a tab indents the second item of a list", "modules:\n  - lesson.md\n\t- scenario.md\n", (3, 1),
     "a tab indents this line, and YAML indents with spaces only: replace the tab with spaces (two for each level)"),
    ("a key indented less than its neighbours", "badges:\n  - id: vault-keeper\n    title: Vault Keeper\n"
     "   when: percent >= 90\n", (4, 4),
     'this line is indented 3 spaces, which lines up with nothing above it: indent it 4 spaces, to line up with '
     '"title" on line 3'),
    ("a key indented more than the one above", "badges:\n  - id: vault-keeper\n    title: Vault Keeper\n"
     "     when: percent >= 90\n", (4, 6),
     '"when" is indented more than "title" on line 3, so YAML reads it as more of that text: indent it 4 spaces, '
     'to line up with "title"'),
    ("a front matter key indented under the title", "id: a\ntitle: T\n  kind: lesson\n", (3, 3),
     '"kind" is indented more than "title" on line 2, so YAML reads it as more of that text: remove its '
     'indentation, to line up with "title"'),
    ("a module indented less than the list", "id: a\nmodules:\n  - lesson.md\n - scenario.md\n", (4, 2),
     'this line is indented 1 space, which lines up with nothing above it: indent it 2 spaces, to line up with '
     '"- lesson.md" on line 3, an item of "modules"'),
    ("a list item after another key's list", "modules:\n  - lesson.md\nbadges:\n  - id: x\n- scenario.md\n",
     (5, 1), 'this line is indented 0 spaces, which lines up with nothing above it: indent it 2 spaces, to line '
     'up with "- id: x" on line 4, an item of "badges"'),
    ("a key indented into a list", "modules:\n  - lesson.md\n  badges:\n  - id: x\n", (3, 3),
     'this line is indented 2 spaces, which lines up with nothing above it: remove its indentation, to line up '
     'with "modules" on line 1'),
    ("a character indented one space", "kind: scenario\ncharacters:\n  maya: { name: Maya, role: Designer }\n"
     " raj: { name: Raj, role: IT }\n", (4, 2),
     'this line is indented 1 space, which lines up with nothing above it: indent it 2 spaces, to line up with '
     '"maya" on line 3'),
    ("no space after a colon", "id:a\ntitle: x\n", (1, 4), 'put a space after the colon of "id": write id: a'),
    ("an apostrophe in single quotes", "title: 'It's fine'\n", (1, 8),
     "this value is in ' quotes but holds a ' too, which ends it early: use the other quotes: title: \"It's fine\""),
    ("a quote never closed", 'title: "Hello\nid: x\n', (1, 8),
     'this quoted value is never closed: end it with " on the same line'),
    ("a quoted word then more", 'title: "Quoted" then more\nid: x\n', (1, 8),
     "the part in quotes ends before the value does: put the whole value in quotes: title: '\"Quoted\" then more'"),
    ("a colon inside { }", "characters:\n  maya: { name: Maya, role: Lead: design }\n", (2, 33),
     'a value inside { … } holds a colon: put it in quotes: role: "Lead: design"'),
    ("a list not closed", "languages: [de, fr\nid: x\n", (1, 12),
     'this list is not closed: end it with "]" on the same line'),
    ("a title in brackets", "title: [Draft] The plan\nid: x\n", (1, 8),
     'YAML reads a value that starts with "[" as a list: put the whole value in quotes: title: "[Draft] The plan"'),
    ("a title starting with @", "title: @handle\n", (1, 8),
     'YAML reads a value that starts with "@" as a reserved character: put the whole value in quotes: '
     'title: "@handle"'),
    ("a title starting with *", "title: *bold* text\n", (1, 8),
     'YAML reads a value that starts with "*" as a reference to an anchor (an alias): put the whole value in '
     'quotes: title: "*bold* text"'),
    ("a title starting with >", "title: > quote\nid: x\n", (1, 8),
     'YAML reads a value that starts with ">" as the start of a block of text: put the whole value in quotes: '
     'title: "> quote"'),
]


@pytest.mark.parametrize("loader", LOADERS, ids=lambda loader: loader.__name__)
@pytest.mark.parametrize("name, text, where, message", CASES, ids=[case[0] for case in CASES])
def test_a_slip_is_explained_at_its_line(loader, name, text, where, message):
    with pytest.raises(yaml.YAMLError) as raised:
        for _ in yaml.parse(text, Loader=loader):
            pass
    line, column, said = explain(text, raised.value)
    assert ((line + 1, column + 1), said) == (where, message)
    assert text.split("\n")[line][column:].strip(), "the caret stands under text of that line"


def test_an_error_it_does_not_know_keeps_the_parser_words():
    text = "a: b\n--- x\n... y\n"
    with pytest.raises(yaml.YAMLError) as raised:
        for _ in yaml.parse(text, Loader=yaml.SafeLoader):
            pass
    assert explain(text, raised.value)[2] == raised.value.problem

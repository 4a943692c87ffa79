"""The author's tools: the live preview and its local server, the jump-to-node resume data,
scenario maps (layout, SVG, index page) and the scaffolds of `coursegen new`.

May import: everything but `cli`. Nothing outside the workbench imports it, but the CLI.
"""

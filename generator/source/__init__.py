"""Reading the author's text into the model: course.yaml and module files (YAML with line marks,
Markdown front matter and bodies), choice attributes and the `when`/`if` expression language.

May import: the hub's `model` and `diagnostics`. Never `check`, `package`, `walks`, `workbench`,
`build` or `cli`.
"""

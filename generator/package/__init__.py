"""What goes into a package: the course JSON and launch page (`render`), SCORM manifests and
byte-identical zips written atomically (`archive`), Open Badges definitions, with the Jinja
templates, the official schemas shipped at the zip root, and the learner runtime (`runtime/`).

May import: the hub's `model` and `diagnostics`, `source` and `check`. Never `walks`,
`workbench`, `build` or `cli`.
"""

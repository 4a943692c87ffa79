"""`coursegen test`: walk plans and their predictions (`plan`), the in-page walker, the run over a
pool of browsers (`runner`), the scorm-again LMS host (`lms`, `lmshost/`) and the checks of what the
LMS received (`lmscheck`).

May import: everything upstream (`build`, `model`, `diagnostics`, `source`, `check`, `package`).
Never `workbench` or `cli`.
"""

"""Pure functions of the model: scenario analysis (reachability, maxima, cycles, paths), every
author-facing validation rule, and the resume state's encoding and worst-case size.

Touches no files. May import: the hub's `model` and `diagnostics`, and `source` (the expression
evaluator). Never `package`, `walks`, `workbench`, `build` or `cli`.
"""

"""Translations: the course's text in other languages, kept in step with the source.

Holds `units` (what is translatable, with stable keys from the structure, as one
table), `placeholders` (Markdown links, emphasis and code as numbered tokens a
translator cannot break), `catalogue` (PO files: read, merge, write), `xliff`
(XLIFF 1.2 export and import for agencies), `review` (every problem of a
catalogue, as diagnostics), `pseudo` (the pseudo-locales), `languages` (tags,
CLDR plural rules) and `localise` (a checked course in another language).

May import the hub, `source` and `check`; `build` and the CLI import it. It reads
and writes catalogues under the course's `locales/` folder, never anything else.
"""

"""Interop: annotations made elsewhere, brought into the archive (`build.py import`).

The pipeline, one module per step:

    jsonfile   the file, read safely (size, encoding, nesting) with positions for diagnostics
    formats    which format it is → hypothesis / w3c: each annotation as an `Incoming` (records)
    urls       which article each one is about (normalised addresses, or --article)
    mapping    tags, purposes, creator, dates → our fields (kind, verdict, by, added)
    place      the quote against our text: exact, then fuzzy with context and position as hints
    yamltext   the annotations as YAML items, in the file's own layout
    write      appended as `new` appends, checked by the engine before anything is written
    report     what was added, adjusted, skipped; problems as diagnostics
    command    the command: runs the steps, all files checked before any is written
"""

"""Content: reading a source file, the rules it must follow, the one check entry point.

`source` reads a file, `rules` and `documents` say what is wrong in it, `check` runs
every rule (for `invoke check` and for the build's gate) and `plugin` is the gate
inside Pelican.
"""

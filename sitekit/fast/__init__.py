"""The fast build: the same output as stock Pelican, sooner.

`markdown_cache` parses each source once per build on every core and keeps the parses,
`inline_fastpath` speeds up Python-Markdown's inline step, `parallel_writer` renders the
pages on every core and `template_cache` compiles each template once. `options` reads
FAST_BUILD; `contract` names the Pelican internals they rely on and falls back to the
stock path when the installed releases are not the ones they were written for.
"""

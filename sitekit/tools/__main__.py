"""`python -m sitekit.tools translations|new …`: the editor tools that `invoke` runs."""

import sys

from sitekit.tools import scaffold, translations

TOOLS = {"translations": translations.main, "new": scaffold.main}


def main(argv: list[str]) -> int:
    """Run one tool with the rest of the command line."""
    if not argv or argv[0] not in TOOLS:
        print(
            f"usage: python -m sitekit.tools {{{','.join(TOOLS)}}} …", file=sys.stderr
        )
        return 2
    return TOOLS[argv[0]](argv[1:])


sys.exit(main(sys.argv[1:]))

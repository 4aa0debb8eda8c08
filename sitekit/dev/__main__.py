"""`python -m sitekit.dev bench|bench-publish …`: the benchmarks `invoke` runs."""

import sys

from sitekit.dev import bench, publish_bench

TOOLS = {"bench": bench.main, "bench-publish": publish_bench.main_argv}


def main(argv: list[str]) -> int:
    """Run one benchmark with the rest of the command line."""
    if not argv or argv[0] not in TOOLS:
        names = ",".join(TOOLS)
        print(f"usage: python -m sitekit.dev {{{names}}} …", file=sys.stderr)
        return 2
    return TOOLS[argv[0]](argv[1:])


sys.exit(main(sys.argv[1:]))

"""`python -m sitekit.builder`: `invoke build`."""

import sys

from sitekit.builder.cli import main

sys.exit(main())

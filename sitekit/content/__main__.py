"""`python -m sitekit.content`: `invoke check`."""

import sys

from sitekit.content.check import main

sys.exit(main())

"""`python -m sitekit.publish`: the same as `invoke publish`."""

import sys

from sitekit.publish.run import main

sys.exit(main())

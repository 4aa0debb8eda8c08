"""Production settings: `pelicanconf.py` plus the overrides a published site needs.

SITEURL comes from the environment, e.g. `SITEURL=https://www.example.org invoke
build-production`, so no host name is committed and every absolute URL (canonical,
hreflang, feeds, sitemap) points at the real site.
"""

import os

from pelicanconf import *
from sitekit.languages import subsite_settings
from sitekit.settings import absolute_site_url

SITEURL = absolute_site_url(os.environ.get("SITEURL", ""))
FEED_DOMAIN = SITEURL
# FEED_ATOM lists the subsite's own language; FEED_ALL_ATOM would add translations.
FEED_ATOM = "feeds/all.atom.xml"
I18N_SUBSITES = subsite_settings(SITEURL)
RELATIVE_URLS = False
DELETE_OUTPUT_DIRECTORY = True

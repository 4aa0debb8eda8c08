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

# --- Publishing (`invoke publish`, sitekit/publish) -----------------------------------
# A plain literal dict: `invoke publish` reads it without running this file. What
# differs per environment comes from PUBLISH_BUCKET, PUBLISH_PREFIX,
# PUBLISH_ENDPOINT_URL, PUBLISH_REGION and PUBLISH_PATH_STYLE (or the task's flags).
# Credentials never appear here: boto3 takes them from the standard AWS chain
# (AWS_ACCESS_KEY_ID … from CI secrets).
PUBLISH = {
    "bucket": "",  # required: PUBLISH_BUCKET or --bucket
    "prefix": "",  # key prefix inside the bucket, e.g. "site"; "" is the bucket root
    "endpoint_url": "",  # "" is AWS S3; e.g. https://s3.example.net for other stores
    # Every other key and its default: OPTIONS in sitekit/publish/settings.py
    # (delete limits, protected keys, redirects of moved pages, timeouts).
}

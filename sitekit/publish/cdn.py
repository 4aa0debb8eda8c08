"""Invalidate the CDN in front of the bucket: exactly the URLs whose objects changed.

Real deployments serve the bucket through a CDN (CloudFront or an API-compatible one)
for HTTPS. Its copies live until they expire, so after a publish the URLs of every
object uploaded, re-headered or deleted are invalidated in one batch: a key and, for
`…/index.html`, the folder URL visitors use (`fr/index.html` → `/fr/` and
`/fr/index.html`). Above PUBLISH['cdn']['max_paths'] paths the batch is `/*` instead
(CloudFront charges per path, and a wildcard counts as one). The distribution's origin
path is taken to be the publishing prefix, so the URL of key `k` is `/k`.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from botocore.config import Config

from sitekit.publish.settings import PublishSettings
from sitekit.publish.storage import new_session

WAIT_SECONDS = 600  # give up waiting after this, with a message (the batch still runs)
ALL = "/*"


def paths_for(keys: Iterable[str], max_paths: int) -> list[str]:
    """The URL paths to invalidate for changed keys: ['/*'] when there are too many."""
    paths: set[str] = set()
    for key in keys:
        paths.add("/" + quote(key))
        if key == "index.html" or key.endswith("/index.html"):
            paths.add("/" + quote(key.removesuffix("index.html")))
    if len(paths) > max_paths:
        return [ALL]
    return sorted(paths)


def make_client(settings: PublishSettings) -> Any:
    """The CloudFront client (credentials from the standard AWS chain)."""
    config = Config(
        retries={  # every request counted, as in storage.make_client
            "mode": settings.retry_mode,
            "total_max_attempts": settings.max_attempts,
        },
        connect_timeout=settings.connect_timeout,
        read_timeout=settings.read_timeout,
    )
    return new_session().client(
        "cloudfront",
        endpoint_url=settings.cdn["endpoint_url"] or None,
        region_name="us-east-1",  # CloudFront's API lives there
        config=config,
    )


def invalidate(
    settings: PublishSettings,
    keys: Iterable[str],
    *,
    wait: bool = False,
    client: Any = None,
) -> str:
    """Invalidate the changed keys' URLs in one batch; return a line for people."""
    distribution = settings.cdn["distribution_id"]
    paths = paths_for(keys, settings.cdn["max_paths"])
    if not distribution or not paths:
        return ""
    client = client or make_client(settings)
    answer = client.create_invalidation(
        DistributionId=distribution,
        InvalidationBatch={
            "Paths": {"Quantity": len(paths), "Items": paths},
            "CallerReference": f"sitekit-{uuid.uuid4()}",
        },
    )
    ident = answer["Invalidation"]["Id"]
    what = "every URL (/*)" if paths == [ALL] else f"{len(paths)} URL path(s)"
    if not wait:
        return f"CDN {distribution}: invalidation {ident} of {what} started."
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        state = client.get_invalidation(DistributionId=distribution, Id=ident)
        if state["Invalidation"]["Status"].lower() == "completed":  # moto: COMPLETED
            return f"CDN {distribution}: invalidation {ident} of {what} completed."
        time.sleep(5)
    return (
        f"CDN {distribution}: invalidation {ident} of {what} still running after "
        f"{WAIT_SECONDS} s; it completes on its own."
    )

"""The loopback S3 server the publishing tests and benchmarks run against.

Moto keeps its buckets in module globals: without a reset, a second server started
in the same process saw the first one's objects, and `invoke bench --scale` measured
its second and third "first publish" against the previous size's site (and refused
it for the deletions that implied).
"""

from __future__ import annotations

import boto3

from sitekit.dev.loopback_s3 import S3Loopback
from sitekit.dev.publish_bench import (
    loopback_credentials,
    publish_once_each,
    synthetic_site,
)


def _keys(loopback: S3Loopback, bucket: str) -> list[str]:
    client = boto3.client("s3", endpoint_url=loopback.endpoint_url)
    client.create_bucket(Bucket=bucket)
    answer = client.list_objects_v2(Bucket=bucket)
    return [item["Key"] for item in answer.get("Contents", [])]


def test_a_new_loopback_starts_empty():
    with loopback_credentials():
        with S3Loopback() as first:
            assert _keys(first, "site") == []
            boto3.client("s3", endpoint_url=first.endpoint_url).put_object(
                Bucket="site", Key="left-over.html", Body=b"<p>old</p>"
            )
            assert _keys(first, "site") == ["left-over.html"]
        with S3Loopback() as second:
            assert _keys(second, "site") == []


def test_each_growth_publish_is_a_first_publish(tmp_path):
    """Two sizes one after the other: the second uploads everything, deletes nothing."""
    small, large = 8, 12
    first_small, _ = publish_once_each(synthetic_site(tmp_path / "small", small))
    first_large, again = publish_once_each(synthetic_site(tmp_path / "large", large))
    requests = {
        name: int(shown.split(", ")[1].split()[0])
        for name, shown in (("small", first_small), ("large", first_large))
    }
    # Four more pages, so more uploads than the smaller site's first publish made;
    # with the earlier objects still there it made only the four new ones.
    assert requests["large"] > requests["small"]
    assert int(again.split(", ")[1].split()[0]) < requests["small"]

"""`invoke publish` against a real S3 API: moto's server on 127.0.0.1.

A proxy in front counts requests and injects server errors (sitekit.dev.loopback_s3).
Nothing is mocked.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import boto3
import pytest

from sitekit.dev.loopback_s3 import FailureRule, S3Loopback
from sitekit.dev.publish_bench import seal, synthetic_site
from sitekit.publish import storage
from sitekit.publish.plan import DELETE, HEADERS, UPLOAD, make_plan, scan_output
from sitekit.publish.run import FAILED, OK, REFUSED, publish, verify
from sitekit.publish.settings import PublishSettings, validate

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = storage.BOOKKEEPING + "manifest.json"  # publishing's own, prefix ''
_names = itertools.count()


@pytest.fixture(scope="module")
def loopback():
    """One moto server and proxy for the module; every test has its own bucket."""
    with S3Loopback() as server:
        yield server


@pytest.fixture(autouse=True)
def aws_environment(monkeypatch, tmp_path):
    """Set dummy credentials for the standard chain; keep host config out."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-creds"))
    for name in (
        "AWS_PROFILE",
        "AWS_SESSION_TOKEN",
        "PUBLISH_BUCKET",
        "PUBLISH_PREFIX",
    ):
        monkeypatch.delenv(name, raising=False)
    for name in ("PUBLISH_ENDPOINT_URL", "PUBLISH_REGION", "PUBLISH_PATH_STYLE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def s3(loopback):
    """Return a client talking to moto directly, to inspect or tamper."""
    return boto3.client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{loopback.moto_port}",
        region_name="us-east-1",
    )


@pytest.fixture
def bucket(loopback, s3):
    """Create a fresh bucket; failure injection and counts start clean."""
    name = f"site-{next(_names)}-{os.getpid()}"
    s3.create_bucket(Bucket=name)
    loopback.failure = None
    loopback.reset_counts()
    yield name
    loopback.failure = None


@pytest.fixture
def site(tmp_path) -> Path:
    """Write a synthetic built site of 24 pages in four languages."""
    return synthetic_site(tmp_path / "output", pages=24)


def settings_for(loopback, bucket: str, **extra: Any) -> PublishSettings:
    """Return settings for the loopback store (two attempts: short tests)."""
    return validate(
        {
            "bucket": bucket,
            "endpoint_url": loopback.endpoint_url,
            "path_style": True,
            "min_files": 5,
            "max_attempts": 2,
            **extra,
        }
    )


def run(settings: PublishSettings, output: Path, **options: Any):
    """Publish with --json; return (exit code, report dict, human messages)."""
    out, err = io.StringIO(), io.StringIO()
    options.setdefault("second_pass_pause", 0.1)
    code = publish(settings, output, as_json=True, stdout=out, stderr=err, **options)
    return code, json.loads(out.getvalue()), err.getvalue()


def remote(s3, bucket: str, prefix: str = "") -> dict[str, dict]:
    """Every object in the bucket: key → listing entry (moto paginates at 1,000)."""
    found = {}
    for page in s3.get_paginator("list_objects_v2").paginate(
        Bucket=bucket, Prefix=prefix
    ):
        for item in page.get("Contents", []):
            found[item["Key"]] = item
    return found


def local_keys(site: Path) -> set[str]:
    """Return the keys publishing `site` creates (not the protected ones)."""
    return {
        path.relative_to(site).as_posix()
        for path in site.rglob("*")
        if path.is_file() and not path.relative_to(site).as_posix().startswith(".well")
    }


def writes(loopback) -> list:
    """Return the requests that changed the store, in order (not the lock's)."""
    return [
        r
        for r in loopback.log
        if r.method in ("PUT", "POST", "DELETE") and not r.path.endswith("lock.json")
    ]


def test_first_publish_uploads_everything_with_our_headers(loopback, bucket, s3, site):
    code, report, _ = run(settings_for(loopback, bucket), site)
    assert code == OK, report
    assert report["totals"]["uploads"] == len(local_keys(site))
    assert set(remote(s3, bucket)) == local_keys(site) | {MANIFEST}
    page = s3.head_object(Bucket=bucket, Key="fr/index.html")
    assert page["ContentType"] == "text/html; charset=utf-8"
    assert page["CacheControl"] == "public, max-age=0, must-revalidate"
    assert page["Metadata"]["md5"] == page["ETag"].strip('"')
    feed = s3.head_object(Bucket=bucket, Key="feeds/all.atom.xml")
    assert feed["ContentType"] == "application/atom+xml; charset=utf-8"
    font = s3.head_object(Bucket=bucket, Key="theme/fonts/text.woff2")
    assert font["ContentType"] == "font/woff2"


def test_uploads_in_phases_home_pages_last_root_very_last(loopback, bucket, site):
    code, _, _ = run(settings_for(loopback, bucket), site)
    assert code == OK
    puts = [
        r.path.split("/", 2)[2]
        for r in loopback.log
        if r.method == "PUT" and storage.BOOKKEEPING not in r.path
    ]

    def last(predicate) -> int:
        return max(i for i, key in enumerate(puts) if predicate(key))

    def first(predicate) -> int:
        return min(i for i, key in enumerate(puts) if predicate(key))

    assert last(lambda k: k.startswith("theme/")) < first(lambda k: k.endswith(".xml"))
    assert last(lambda k: k.endswith(".xml")) < first(lambda k: k.endswith(".html"))
    homes = {"fr/index.html", "de/index.html", "en/index.html"}
    pages = lambda k: k.endswith(".html") and k not in homes | {"index.html"}  # noqa: E731
    assert last(pages) < first(lambda k: k in homes)
    assert puts[-1] == "index.html"


def test_second_publish_plans_and_writes_nothing(loopback, bucket, site):
    settings = settings_for(loopback, bucket)
    assert run(settings, site)[0] == OK
    loopback.reset_counts()
    code, report, _ = run(settings, site)
    assert code == OK
    assert report["actions"] == []
    assert writes(loopback) == []
    # The manifest spares a HEAD per file: listing + manifest + access check only.
    assert loopback.requests["HEAD"] == 0


def test_changing_one_page_uploads_only_that_page(loopback, bucket, s3, site):
    settings = settings_for(loopback, bucket)
    assert run(settings, site)[0] == OK
    with (site / "de" / "page-002.html").open("a") as stream:
        stream.write("<p>neu</p>")
    seal(site)
    loopback.reset_counts()
    code, report, _ = run(settings, site)
    assert code == OK
    assert [(a["action"], a["key"]) for a in report["actions"]] == [
        (UPLOAD, "de/page-002.html")
    ]
    uploaded = [r.path for r in writes(loopback) if storage.BOOKKEEPING not in r.path]
    assert uploaded == [f"/{bucket}/de/page-002.html"]
    body = s3.get_object(Bucket=bucket, Key="de/page-002.html")["Body"].read()
    assert body.endswith(b"</html>\n<p>neu</p>")


def test_a_removed_page_is_deleted_after_the_uploads(loopback, bucket, s3, site):
    settings = settings_for(loopback, bucket)
    assert run(settings, site)[0] == OK
    (site / "page-004.html").unlink()
    (site / "index.html").write_text("<!doctype html><h1>Nieuw</h1></html>")
    seal(site)
    loopback.reset_counts()
    code, report, _ = run(settings, site)
    assert code == OK
    assert [(a["action"], a["key"]) for a in report["actions"]] == [
        (UPLOAD, "index.html"),
        (DELETE, "page-004.html"),
    ]
    methods = [r.method for r in writes(loopback)]
    # PUT index.html, then the batch delete (POST ?delete), then the manifest PUT.
    assert methods == ["PUT", "POST", "PUT"]
    assert "page-004.html" not in remote(s3, bucket)


def test_header_only_change_is_fixed_by_a_copy_not_an_upload(
    loopback, bucket, s3, site
):
    settings = settings_for(loopback, bucket)
    assert run(settings, site)[0] == OK
    time.sleep(1.1)  # a later write gets a later Last-Modified, as in real life
    key = "theme/css/site.css"
    # Someone (or an older table) set other headers on the object.
    s3.copy_object(
        Bucket=bucket,
        Key=key,
        CopySource={"Bucket": bucket, "Key": key},
        MetadataDirective="REPLACE",
        ContentType="text/plain",
        CacheControl="no-store",
        Metadata=s3.head_object(Bucket=bucket, Key=key)["Metadata"],
    )
    etag_before = s3.head_object(Bucket=bucket, Key=key)["ETag"]
    loopback.reset_counts()
    code, report, _ = run(settings, site)
    assert code == OK
    [action] = report["actions"]
    assert (action["action"], action["key"]) == (HEADERS, key)
    assert any("cache-control" in change for change in action["header_changes"])
    changed = [r for r in writes(loopback) if storage.BOOKKEEPING not in r.path]
    assert len(changed) == 1 and changed[0].copy  # a CopyObject, no body sent
    fixed = s3.head_object(Bucket=bucket, Key=key)
    assert fixed["ContentType"] == "text/css; charset=utf-8"
    assert fixed["CacheControl"] == "public, max-age=31536000"
    assert fixed["ETag"] == etag_before  # same bytes
    assert run(settings, site)[1]["actions"] == []


def test_without_the_manifest_heads_find_the_same_state(loopback, bucket, s3, site):
    settings = settings_for(loopback, bucket)
    assert run(settings, site)[0] == OK
    s3.delete_object(Bucket=bucket, Key=MANIFEST)
    loopback.reset_counts()
    code, report, _ = run(settings, site)
    assert code == OK and report["actions"] == []
    assert loopback.requests["HEAD"] == len(local_keys(site))
    assert MANIFEST in remote(s3, bucket)  # renewed for the next run


def test_delete_limit_refuses_and_allow_deletes_confirms(loopback, bucket, s3, site):
    settings = settings_for(loopback, bucket, max_deletes=3)
    assert run(settings, site)[0] == OK
    for number in range(8, 16):
        (site / f"{'fr/' if number % 4 == 1 else ''}page-{number:03d}.html").unlink(
            missing_ok=True
        )
    seal(site)
    before = remote(s3, bucket)
    loopback.reset_counts()
    code, report, message = run(settings, site)
    assert code == REFUSED
    assert "--allow-deletes" in message and "limit is 3 objects" in message
    assert writes(loopback) == [] and remote(s3, bucket) == before
    gone = len(before) - 1 - len(local_keys(site))  # the manifest is not a page
    code, _, message = run(settings, site, allow_deletes=gone - 1)
    assert code == REFUSED and f"deletes {gone} objects" in message
    code, report, _ = run(settings, site, allow_deletes=gone)
    assert code == OK and report["totals"]["deletes"] == gone
    assert set(remote(s3, bucket)) == local_keys(site) | {MANIFEST}


@pytest.mark.parametrize("case", ["empty", "no index.html", "too few files"])
def test_broken_outputs_are_refused_before_any_request(
    loopback, bucket, tmp_path, case
):
    output = tmp_path / "output"
    output.mkdir()
    if case == "no index.html":
        synthetic_site(output, pages=8)
        (output / "index.html").unlink()
    if case == "too few files":
        (output / "index.html").write_text("<h1>hi</h1>")
    code, report, message = run(settings_for(loopback, bucket), output)
    assert code == REFUSED and report["status"] == "refused"
    assert "nothing was written" in message
    assert loopback.total_requests() == 0


def test_failure_in_the_middle_stops_deletes_nothing_and_a_rerun_finishes(
    loopback, bucket, s3, site
):
    settings = settings_for(loopback, bucket)
    assert run(settings, site)[0] == OK
    old_home = s3.get_object(Bucket=bucket, Key="index.html")["Body"].read()
    (site / "page-008.html").unlink()
    (site / "index.html").write_text("<!doctype html><h1>Nieuwe start</h1></html>")
    for number in range(12, 20):
        with next(site.rglob(f"page-{number:03d}.html")).open("a") as stream:
            stream.write("<p>bijgewerkt</p>")
    seal(site)
    # The first two uploads pass, every later PUT gets a 500, more often than retries.
    loopback.failure = FailureRule("PUT", skip=2)
    code, report, message = run(settings, site)
    assert code == FAILED and report["status"] == "failed"
    assert "nothing was deleted" in message and "again" in message
    assert "page-008.html" in remote(s3, bucket)  # not deleted
    home = s3.get_object(Bucket=bucket, Key="index.html")["Body"].read()
    assert home == old_home  # the home page waits for the pages it links to
    loopback.failure = None
    code, report, _ = run(settings, site)
    assert code == OK, report
    assert "page-008.html" not in remote(s3, bucket)
    assert run(settings, site)[1]["actions"] == []


def test_transient_server_errors_are_retried(loopback, bucket, s3, site):
    loopback.failure = FailureRule("PUT", skip=3, count=4)
    code, report, _ = run(settings_for(loopback, bucket), site)
    assert code == OK, report
    assert loopback.failure.failed == 4
    assert set(remote(s3, bucket)) == local_keys(site) | {MANIFEST}


def test_bad_credentials_give_a_clear_error(loopback, bucket, site, monkeypatch):
    import moto.settings

    # moto checks signatures against its IAM users once this count is reached.
    monkeypatch.setattr(moto.settings, "INITIAL_NO_AUTH_ACTION_COUNT", 0)
    code, _, message = run(settings_for(loopback, bucket), site)
    assert code == REFUSED
    assert "access key ID is not known" in message and "AWS_ACCESS_KEY_ID" in message


def test_missing_credentials_give_a_clear_error(loopback, bucket, site, monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    code, _, message = run(settings_for(loopback, bucket), site)
    assert code == REFUSED and "no usable AWS credentials" in message


def test_missing_bucket_gives_a_clear_error(loopback, site):
    code, _, message = run(settings_for(loopback, "no-such-bucket-here"), site)
    assert code == REFUSED
    assert "'no-such-bucket-here' does not exist" in message


def test_unreachable_endpoint_fails_fast(site):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = validate(
        {"bucket": "site", "endpoint_url": f"http://127.0.0.1:{port}", "min_files": 5}
    )
    started = time.perf_counter()
    code, _, message = run(settings, site)
    assert code == REFUSED and "cannot reach the storage" in message
    assert time.perf_counter() - started < 10


def test_more_than_2000_files_are_listed_across_pages(loopback, bucket, s3, tmp_path):
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.s3.models import s3_backends

    output = tmp_path / "output"
    output.mkdir()
    (output / "index.html").write_text("<h1>home</h1></html>")
    for number in range(2100):
        (output / f"doc-{number:04d}.txt").write_text(f"document {number}\n")
    # Seed the store inside moto (HTTP would take ~15 s): the same bytes as the
    # output, plus strays that sort onto the last listing page.
    backend = s3_backends[DEFAULT_ACCOUNT_ID]["aws"]
    for path in output.iterdir():
        backend.put_object(bucket, path.name, path.read_bytes())
    for number in range(3):
        backend.put_object(bucket, f"zz-stray-{number}.txt", b"old")
    (output / "doc-1500.txt").write_text("changed, longer than before\n")
    (output / "doc-2100.txt").write_text("new\n")
    seal(output)
    settings = settings_for(loopback, bucket, max_attempts=5)
    client = storage.make_client(settings)
    wanted = scan_output(output)
    listed = storage.list_objects(client, settings)
    published = {k: (wanted[k].md5, wanted[k].headers) for k in listed if k in wanted}
    storage.write_manifest(client, settings, listed, published)

    loopback.reset_counts()
    plan = make_plan(settings, output, client)
    listing_pages = [r for r in loopback.log if "list-type=2" in r.path]
    assert len(listing_pages) == 3  # 2,104 objects, 1,000 per page
    assert plan.remote_count == 2104
    assert [(a.kind, a.key) for a in plan.actions] == [
        (UPLOAD, "doc-1500.txt"),
        (UPLOAD, "doc-2100.txt"),
        (DELETE, "zz-stray-0.txt"),
        (DELETE, "zz-stray-1.txt"),
        (DELETE, "zz-stray-2.txt"),
    ]
    assert plan.unchanged == 2100
    assert loopback.requests["HEAD"] == 0


def test_protected_keys_and_keys_outside_the_prefix_are_never_touched(
    loopback, bucket, s3, site
):
    outside = {
        "other/keep.txt": b"another site",
        "site2/index.html": b"a neighbour prefix",
        "site/.well-known/security.txt": b"Contact: the real one\n",
        "site/.well-known/old.txt": b"only remote",
    }
    for key, body in outside.items():
        s3.put_object(Bucket=bucket, Key=key, Body=body)
    before = {k: v["ETag"] for k, v in remote(s3, bucket).items() if k in outside}
    settings = settings_for(loopback, bucket, prefix="site")
    code, report, _ = run(settings, site)
    assert code == OK, report
    assert report["totals"]["protected_skipped"] == 1  # the local security.txt
    after = remote(s3, bucket)
    assert {k: after[k]["ETag"] for k in outside} == before
    assert {k[len("site/") :] for k in after if k.startswith("site/")} == (
        local_keys(site) | {".well-known/security.txt", ".well-known/old.txt"}
    )
    # Publishing's own manifest is outside the prefix, where visitors are not served.
    assert storage.BOOKKEEPING + "site/manifest.json" in after
    assert all("well-known" not in r.path for r in writes(loopback))


def test_dry_run_prints_the_plan_and_writes_nothing(loopback, bucket, s3, site):
    settings = settings_for(loopback, bucket)
    assert run(settings, site)[0] == OK
    (site / "page-000.html").write_text("<h1>changed</h1></html>")
    (site / "page-004.html").unlink()
    seal(site)
    before = remote(s3, bucket)
    loopback.reset_counts()
    out, err = io.StringIO(), io.StringIO()
    code = publish(settings, site, dry_run=True, stdout=out, stderr=err)
    assert code == OK
    text = out.getvalue()
    assert "upload   page-000.html" in text and "size 1" in text
    assert "delete   page-004.html" in text and "not in the output" in text
    assert "Totals: 1 upload(s)" in text and "1 deletion(s)" in text
    assert "Dry run: nothing was written." in text
    assert "release: production build of https://www.example.org" in text
    assert writes(loopback) == [] and remote(s3, bucket) == before


def test_verify_reports_a_store_that_differs_from_the_plan(loopback, bucket, s3, site):
    settings = settings_for(loopback, bucket)
    client = storage.make_client(settings)
    plan = make_plan(settings, site, client)
    assert run(settings, site)[0] == OK
    assert verify(plan, client)[0] == []
    s3.put_object(Bucket=bucket, Key="page-004.html", Body=b"tampered")
    s3.put_object(Bucket=bucket, Key="stray.html", Body=b"x")
    s3.copy_object(
        Bucket=bucket,
        Key="robots.txt",
        CopySource={"Bucket": bucket, "Key": "robots.txt"},
        MetadataDirective="REPLACE",
        ContentType="text/plain",
    )
    problems, _ = verify(plan, client)
    assert any(p.startswith("page-004.html: size") for p in problems)
    assert "stray.html: stray object" in problems
    # robots.txt was written by this plan, so its headers are checked.
    assert any(p.startswith("robots.txt: content-type") for p in problems)


def test_multipart_uploads_keep_their_md5_in_metadata(loopback, bucket, s3, site):
    (site / "rapport.pdf").write_bytes(os.urandom(6 * 1024 * 1024))
    seal(site)
    settings = settings_for(loopback, bucket)
    code, _, _ = run(settings, site, multipart_threshold=5 * 1024 * 1024)
    assert code == OK
    head = s3.head_object(Bucket=bucket, Key="rapport.pdf")
    assert "-" in head["ETag"]  # a multipart ETag is not an MD5
    s3.delete_object(Bucket=bucket, Key=MANIFEST)  # force HEADs
    code, report, _ = run(settings, site)
    assert code == OK and report["actions"] == []


def test_redirect_objects_for_moved_pages(loopback, bucket, s3, site):
    settings = settings_for(
        loopback, bucket, redirects={"oud/statuut.html": "/page-005.html"}
    )
    assert run(settings, site)[0] == OK
    moved = s3.get_object(Bucket=bucket, Key="oud/statuut.html")
    assert moved["WebsiteRedirectLocation"] == "/page-005.html"
    assert b'content="0; url=/page-005.html"' in moved["Body"].read()
    assert run(settings, site)[1]["actions"] == []


def test_command_line_with_environment_settings(loopback, bucket, site):
    env = {
        **os.environ,
        "PUBLISH_BUCKET": bucket,
        "PUBLISH_ENDPOINT_URL": loopback.endpoint_url,
        "PUBLISH_PATH_STYLE": "true",
        "PYTHONPATH": str(ROOT),
    }
    command = [sys.executable, "-m", "sitekit.publish", "--output", str(site)]
    result = subprocess.run(
        [*command, "--dry-run"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert f"Plan for s3://{bucket}/ at {loopback.endpoint_url}" in result.stdout
    assert loopback.requests["PUT"] == 0
    result = subprocess.run(
        [*command, "--json"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["status"] == "ok"

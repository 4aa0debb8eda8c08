"""Release integrity: only a whole, verified production release reaches the bucket.

Each case an auditor found (issue "Release integrity") against the loopback S3 server
(moto behind the counting proxy): what publish does now, and that it writes nothing
when it refuses. Fixtures come from test_publish.py.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import boto3
import pytest

from sitekit import release_manifest
from sitekit.builder.cli import build_command
from sitekit.dev.publish_bench import seal, synthetic_site
from sitekit.publish import cdn, storage
from sitekit.publish.plan import make_plan
from sitekit.publish.run import FAILED, OK, REFUSED, execute, verify
from sitekit.publish.settings import SettingsError, validate
from tests.plugins import test_publish as base
from tests.support import built_once, run_build, start_build_command

# The loopback store and a synthetic site, as in test_publish.py.
aws_environment, loopback, s3 = base.aws_environment, base.loopback, base.s3
bucket, site = base.bucket, base.site
MANIFEST, ROOT = base.MANIFEST, base.ROOT
remote, run, settings_for, writes = (
    base.remote,
    base.run,
    base.settings_for,
    base.writes,
)


def refused(loopback, settings, output: Path, *words: str) -> str:
    """Publish `output`: exit 2, no request that writes, `words` in the message."""
    loopback.reset_counts()
    code, report, message = run(settings, output)
    assert code == REFUSED, message
    assert report["status"] == "refused"
    assert "nothing was written" in message
    for word in words:
        assert word in message, message
    assert writes(loopback) == []
    assert "Traceback" not in message
    return message


def production_build(tmp_path_factory, folder: Path) -> Path:
    """A copy in `folder` of the run's production build of content/: its output.

    The build the site tests read too (publishconf.py), made once per run; copied
    with its releases and cache, so a test builds over it as over its own.
    """
    built = built_once(tmp_path_factory.getbasetemp(), "production").output
    shutil.copytree(built.parent, folder / "built", symlinks=True)
    return folder / "built" / built.name


# A build is a release; publish sends only a production release, unaltered.


def test_a_preview_build_is_refused_even_over_a_production_one(
    loopback, bucket, s3, tmp_path, tmp_path_factory
):
    """`build-production`, then `invoke build`: the preview is never published."""
    output = production_build(tmp_path_factory, tmp_path)
    settings = settings_for(loopback, bucket)
    code, report, message = run(settings, output)
    assert code == OK, message
    manifest = release_manifest.read(output)
    assert report["release"]["kind"] == "production"
    assert report["release"]["siteurl"] == manifest.siteurl.rstrip("/")
    assert report["release"]["languages"] == manifest.languages
    before = remote(s3, bucket)
    assert run_build(output, settings="pelicanconf.py").returncode == 0
    refused(loopback, settings, output, "preview build", "build-production")
    assert remote(s3, bucket) == before


def test_a_build_killed_at_any_instant_leaves_one_whole_release(
    tmp_path, tmp_path_factory
):
    """SIGKILL at several points of real builds: output/ is always a whole release."""
    output = production_build(tmp_path_factory, tmp_path)
    command = build_command(
        ROOT / "publishconf.py", output, cache=output.parent / "output-cache"
    )
    shown = [release_manifest.verify(output).siteurl]
    # None: the last build is left to finish (it used to be killed after 6 s). The
    # builds fork from the build server, so they start at once: the delays span a
    # build's own work (a new Python spent its first ~0.7 s importing).
    for number, delay in enumerate((0.1, 0.25, 0.4, 0.6, 0.8, 1.1, None)):
        siteurl = f"https://www{number}.example.org"  # a new build every time
        with start_build_command(command, siteurl) as build:
            if delay is None:
                assert build.wait(timeout=120).returncode == 0
            time.sleep(delay or 0)
            build.kill()  # SIGKILL
        release = release_manifest.verify(output)  # every file as its manifest says
        assert release.siteurl in (shown[-1], siteurl)
        assert (output / "index.html").read_text().count(release.siteurl) > 0
        shown.append(release.siteurl)
    assert shown[-1] == "https://www6.example.org"  # the last build had time to finish


def test_an_output_without_a_manifest_is_refused(loopback, bucket, tmp_path):
    output = tmp_path / "output"
    synthetic_site(output, pages=8)
    (tmp_path / "release.json").unlink()
    refused(loopback, settings_for(loopback, bucket), output, "not a release")
    assert loopback.total_requests() == 0  # refused before the network


@pytest.mark.parametrize("change", ["changed", "missing", "extra"])
def test_files_that_differ_from_the_manifest_are_refused(
    loopback, bucket, site, change
):
    if change == "changed":
        (site / "theme/css/site.css").write_text("body { color: red }\n")
    elif change == "missing":
        (site / "robots.txt").unlink()
    else:
        (site / "stray.html").write_text("<html></html>")
    words = {"changed": "differs", "missing": "missing", "extra": "not in the"}
    refused(loopback, settings_for(loopback, bucket), site, words[change])


def test_a_language_live_in_the_bucket_cannot_disappear(loopback, bucket, s3, site):
    """An output without de/: 7 deletions fit the total limits, not de/'s."""
    settings = settings_for(loopback, bucket)
    assert run(settings, site)[0] == OK
    for path in sorted((site / "de").rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()
    (site / "de").rmdir()
    seal(site)
    before = remote(s3, bucket)
    refused(loopback, settings, site, "de home page", "live in the bucket")
    # Even with the deletions confirmed, the language check holds.
    code, _, message = run(settings, site, allow_deletes=100)
    assert code == REFUSED and "de home page" in message
    assert remote(s3, bucket) == before


def test_deletions_are_limited_in_each_top_level_folder(loopback, bucket, s3, site):
    settings = settings_for(loopback, bucket)
    assert run(settings, site)[0] == OK
    for path in (site / "fr").glob("page-*.html"):
        path.unlink()  # 6 of fr/'s 8 objects: 6 % of the store, 75 % of fr/
    seal(site)
    refused(loopback, settings, site, "in fr/", "--allow-deletes 6")
    assert run(settings, site, allow_deletes=6)[0] == OK


@pytest.mark.parametrize(
    ("key", "text"),
    [("de/index.html", ""), ("en/index.html", ""), ("page-005.html", "<p>cut")],
)
def test_empty_or_cut_short_pages_are_refused(loopback, bucket, site, key, text):
    (site / key).write_text(text)
    seal(site)  # even a build that sealed them is refused
    refused(loopback, settings_for(loopback, bucket), site, "cut short", key)


def test_a_missing_language_home_page_is_refused(loopback, bucket, site):
    manifest = release_manifest.read(site)
    (site / "en/index.html").unlink()
    seal(site)
    assert manifest.languages["en"] > 0
    refused(loopback, settings_for(loopback, bucket), site, "home page en/index.html")


@pytest.mark.parametrize("target", ["/etc/hostname", "/nonexistent/dangling"])
def test_symlinks_are_refused_not_followed(loopback, bucket, site, target, capsys):
    (site / "secret.txt").symlink_to(target)
    refused(loopback, settings_for(loopback, bucket), site, "symbolic link")
    # The command line too, with --json: a report, no traceback.
    result = subprocess.run(
        [sys.executable, "-m", "sitekit.publish", "--output", str(site), "--json"],
        env={**os.environ, "PYTHONPATH": str(ROOT), "PUBLISH_BUCKET": bucket},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == REFUSED
    assert json.loads(result.stdout)["status"] == "refused"
    assert "Traceback" not in result.stderr


def test_a_name_that_is_not_utf8_is_refused(loopback, bucket, site):
    Path(os.fsdecode(bytes(site) + b"/caf\xe9.html")).write_text("<html></html>")
    refused(loopback, settings_for(loopback, bucket), site, "not valid UTF-8")


def test_the_half_copied_output_of_a_killed_build_cannot_be_published(
    loopback, bucket, site
):
    """What a kill mid-copy left before releases: old and new files mixed."""
    for number in range(0, 12, 2):
        path = next(site.rglob(f"page-{number:03d}.html"))
        path.write_text(path.read_text().replace("Page", "Pagina"))
    refused(loopback, settings_for(loopback, bucket), site, "differs")


# Redirect keys and publishing's own objects.


@pytest.mark.parametrize(
    "source",
    ["../escape.html", "a/../../escape.html", ".well-known/security.txt", "a//b.html"],
)
def test_redirect_keys_cannot_leave_the_prefix_or_touch_protected_keys(source):
    with pytest.raises(SettingsError, match="redirects"):
        validate({"bucket": "site", "prefix": "site", "redirects": {source: "/"}})


def test_redirects_through_the_command_line_are_refused_clearly(tmp_path, site):
    conf = tmp_path / "publishconf.py"
    conf.write_text(
        'PUBLISH = {"bucket": "site-bucket", "redirects": {"../x.html": "/"}}\n'
    )
    result = subprocess.run(
        [sys.executable, "-m", "sitekit.publish", "--settings", conf, "--output", site],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == REFUSED
    assert "'..' segment" in result.stderr and "Traceback" not in result.stderr


def test_a_site_file_named_like_the_old_manifest_is_an_ordinary_file(
    loopback, bucket, s3, site
):
    (site / ".publish-manifest.json").write_text('{"a": 1}')
    seal(site)
    settings = settings_for(loopback, bucket)
    assert run(settings, site)[0] == OK
    code, report, _ = run(settings, site)
    assert code == OK and report["actions"] == []  # every later run too
    body = s3.get_object(Bucket=bucket, Key=".publish-manifest.json")["Body"].read()
    assert body == b'{"a": 1}'
    assert MANIFEST in remote(s3, bucket)


def test_publishings_own_folder_is_reserved(loopback, bucket, site):
    (site / ".sitekit-publish").mkdir()
    (site / ".sitekit-publish/manifest.json").write_text("{}")
    seal(site)
    refused(loopback, settings_for(loopback, bucket), site, ".sitekit-publish/")


# Verify trusts the store and the files, not its own metadata.


def test_a_file_rewritten_during_the_publish_is_refused_by_the_store(
    loopback, bucket, s3, site
):
    settings = settings_for(loopback, bucket)
    client = storage.make_client(settings)
    plan = make_plan(settings, site, client)
    (site / "page-000.html").write_text("rewritten while publishing</html>")
    from sitekit.publish.run import Progress

    with open(os.devnull, "w") as nowhere:  # noqa: PTH123
        outcome = execute(plan, client, Progress(nowhere), second_pass_pause=0)
    assert outcome.status == "failed"
    assert any(
        "page-000.html" in line and "BadDigest" in line for line in outcome.failed
    )
    assert "page-000.html" not in remote(s3, bucket)


def test_verify_compares_the_stores_etag_with_the_local_md5(loopback, bucket, s3, site):
    settings = settings_for(loopback, bucket)
    assert run(settings, site)[0] == OK
    client = storage.make_client(settings)
    plan = make_plan(settings, site, client)
    assert plan.is_empty() and verify(plan, client)[0] == []
    # Other bytes of the same size, with metadata that claims the planned MD5.
    key = "theme/css/site.css"
    size = (site / key).stat().st_size
    s3.put_object(
        Bucket=bucket,
        Key=key,
        Body=b"x" * size,
        Metadata={"md5": plan.wanted[key].md5},
    )
    problems, _ = verify(plan, client)
    assert any(p.startswith(f"{key}: the store holds other bytes") for p in problems)


def test_verify_reads_the_local_files_again(loopback, bucket, site):
    settings = settings_for(loopback, bucket)
    assert run(settings, site)[0] == OK
    client = storage.make_client(settings)
    plan = make_plan(settings, site, client)
    path = site / "robots.txt"
    path.write_text(path.read_text().upper())  # same size, other bytes
    problems, _ = verify(plan, client)
    assert problems == [
        "robots.txt: the local file changed during the publish; build again and "
        "publish the new release"
    ]


# Interrupts, concurrency, the build lock.


@pytest.mark.parametrize("signal_number", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_between_requests_and_deletes_nothing(
    loopback, bucket, s3, tmp_path, signal_number
):
    output = synthetic_site(tmp_path / "output", pages=600)
    s3.put_object(Bucket=bucket, Key="old-page.html", Body=b"to be deleted")
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PUBLISH_BUCKET": bucket,
        "PUBLISH_ENDPOINT_URL": loopback.endpoint_url,
        "PUBLISH_PATH_STYLE": "true",
    }
    loopback.reset_counts()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sitekit.publish",
            "--allow-deletes=1",
            "--output",
            output,
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while loopback.requests["PUT"] < 30 and time.monotonic() < deadline:
        time.sleep(0.01)
    process.send_signal(signal_number)
    sent = loopback.requests["PUT"]
    _, err = process.communicate(timeout=30)
    assert process.returncode == FAILED, err
    lines = [line for line in err.splitlines() if not line.startswith("  ")]
    assert lines == [line for line in lines if "stopped by" in line] and len(lines) == 1
    assert "nothing was deleted" in lines[0] and "Traceback" not in err
    assert loopback.requests["PUT"] - sent <= 16  # at most the requests under way
    assert "old-page.html" in remote(s3, bucket)
    assert not any(r.method == "POST" for r in loopback.log)  # no batch delete
    assert storage.BOOKKEEPING + "lock.json" not in remote(s3, bucket)  # given back


def test_a_second_publish_is_refused_while_one_holds_the_lock(
    loopback, bucket, s3, site
):
    settings = settings_for(loopback, bucket)
    client = storage.make_client(settings)
    storage.take_lock(client, settings)
    message = refused(loopback, settings, site, "another publish", "running")
    assert storage.holder_name() in message  # the holder is named
    storage.release_lock(client, settings)
    assert run(settings, site)[0] == OK


def test_two_publishes_at_once_one_is_refused(loopback, bucket, s3, tmp_path):
    """Different outputs at once: one publishes, the other is refused; never a mix."""
    first = synthetic_site(tmp_path / "a" / "output", pages=200)
    second = synthetic_site(tmp_path / "b" / "output", pages=200)
    for path in second.rglob("page-*.html"):
        path.write_text(path.read_text().replace("Page", "Pagina"))
    seal(second)
    settings = settings_for(loopback, bucket)
    codes: dict[str, int] = {}

    def publish_one(name: str, output: Path) -> None:
        codes[name] = run(settings, output)[0]

    threads = [
        threading.Thread(target=publish_one, args=(name, output))
        for name, output in (("a", first), ("b", second))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes.values()) == [OK, REFUSED]
    winner = first if codes["a"] == OK else second
    body = s3.get_object(Bucket=bucket, Key="page-004.html")["Body"].read()
    assert body == (winner / "page-004.html").read_bytes()


def test_an_expired_lock_is_taken_over(loopback, bucket, site):
    settings = settings_for(loopback, bucket)
    client = storage.make_client(settings)
    storage.take_lock(
        client, settings, now=time.time() - 2 * storage.LOCK_LEASE_SECONDS
    )
    assert run(settings, site)[0] == OK


def test_publish_waits_for_no_build_it_refuses_during_one(loopback, bucket, site):
    lock_path = release_manifest.build_lock_path(site)
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # what a running build holds
        refused(loopback, settings_for(loopback, bucket), site, "build of")
    assert loopback.total_requests() == 0


# Endpoints and secrets.

SECRET = "s3cr3t-never-print-me"


def test_no_secret_appears_in_any_output_report_or_object(
    loopback, bucket, s3, site, tmp_path
):
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "AWS_SECRET_ACCESS_KEY": SECRET,
        "AWS_ACCESS_KEY_ID": "AKIA" + SECRET,
        "PUBLISH_BUCKET": bucket,
        "PUBLISH_ENDPOINT_URL": loopback.endpoint_url,
        "PUBLISH_PATH_STYLE": "true",
    }
    command = [sys.executable, "-m", "sitekit.publish", "--output", str(site)]
    texts = []
    for extra, overrides in (
        (["--dry-run"], {}),
        (["--json"], {}),
        (["--json"], {"PUBLISH_BUCKET": "no-such-bucket-here"}),
        (["--json"], {"PUBLISH_ENDPOINT_URL": f"http://KEY:{SECRET}@127.0.0.1:9"}),
        ([], {"PUBLISH_ENDPOINT_URL": f"https://KEY:{SECRET}@s3.example.org"}),
    ):
        result = subprocess.run(
            command + extra,
            env={**env, **overrides},
            capture_output=True,
            text=True,
            check=False,
        )
        texts += [result.stdout, result.stderr]
    assert "KEY:" not in "".join(texts[6:])  # the refused endpoints are not echoed
    stored = [
        s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        for key in remote(s3, bucket)
    ]
    manifest = (site.resolve().parent / "release.json").read_bytes()
    for text in [*texts, *(b.decode("latin-1") for b in stored), manifest.decode()]:
        assert SECRET not in text


@pytest.mark.parametrize(
    "endpoint",
    ["http://s3.example.org", "http://192.0.2.10:9000", "https://u:p@s3.example.org"],
)
def test_plain_http_only_on_loopback_and_no_credentials_in_urls(endpoint):
    with pytest.raises(SettingsError, match="endpoint_url"):
        validate({"bucket": "site", "endpoint_url": endpoint})
    for local in ("http://127.0.0.1:9000", "http://localhost:9000"):
        assert validate({"bucket": "site", "endpoint_url": local}).endpoint_url


# The CDN in front of the bucket, against moto's CloudFront on loopback.


@pytest.fixture
def distribution(loopback, bucket):
    """A CloudFront distribution in moto; returns (client, id)."""
    client = boto3.client(
        "cloudfront",
        endpoint_url=f"http://127.0.0.1:{loopback.moto_port}",
        region_name="us-east-1",
    )
    answer = client.create_distribution(
        DistributionConfig={
            "CallerReference": f"test-{time.time_ns()}",
            "Comment": "",
            "Enabled": True,
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": "bucket",
                        "DomainName": f"{bucket}.s3.amazonaws.com",
                        "S3OriginConfig": {"OriginAccessIdentity": ""},
                    }
                ],
            },
            "DefaultCacheBehavior": {
                "TargetOriginId": "bucket",
                "ViewerProtocolPolicy": "redirect-to-https",
                "MinTTL": 0,
                "ForwardedValues": {
                    "QueryString": False,
                    "Cookies": {"Forward": "none"},
                },
                "TrustedSigners": {"Enabled": False, "Quantity": 0},
            },
        }
    )
    return client, answer["Distribution"]["Id"]


def invalidations(client, ident: str) -> list[list[str]]:
    listed = client.list_invalidations(DistributionId=ident)["InvalidationList"]
    found = []
    for item in listed.get("Items", []):
        batch = client.get_invalidation(DistributionId=ident, Id=item["Id"])
        found.append(
            sorted(batch["Invalidation"]["InvalidationBatch"]["Paths"]["Items"])
        )
    return found


def test_the_cdn_invalidates_exactly_the_changed_urls(
    loopback, bucket, site, distribution
):
    client, ident = distribution
    settings = settings_for(
        loopback,
        bucket,
        cdn={
            "distribution_id": ident,
            "endpoint_url": f"http://127.0.0.1:{loopback.moto_port}",
            "max_paths": 10,
        },
    )
    code, report, _ = run(settings, site)
    assert code == OK and "/*" in report["cdn"]
    assert invalidations(client, ident) == [["/*"]]  # more than 10 paths: one wildcard
    (site / "fr/index.html").write_text("<html>nouveau</html>")
    (site / "page-004.html").unlink()
    seal(site)
    code, report, _ = run(settings, site, wait_for_cdn=True)
    assert code == OK and "completed" in report["cdn"]
    assert ["/fr/", "/fr/index.html", "/page-004.html"] in invalidations(client, ident)
    code, report, _ = run(settings, site)
    assert code == OK and report["cdn"] == ""  # nothing changed: no invalidation
    assert len(invalidations(client, ident)) == 2


def test_cdn_paths_include_folder_forms_and_fall_back_to_a_wildcard():
    assert cdn.paths_for(["index.html", "fr/index.html", "a b.css"], 10) == [
        "/",
        "/a%20b.css",
        "/fr/",
        "/fr/index.html",
        "/index.html",
    ]
    assert cdn.paths_for([f"p{n}.html" for n in range(11)], 10) == ["/*"]


# Request counts: the incremental engine stays as lean.


def test_request_counts_of_first_no_change_and_one_page_publishes(
    loopback, bucket, site
):
    settings = settings_for(loopback, bucket)
    files = sum(1 for p in site.rglob("*") if p.is_file()) - 1  # not .well-known
    counts = []
    for change in (None, None, "page-004.html"):
        if change:
            (site / change).write_text("<html>nieuw</html>")
            seal(site)
        loopback.reset_counts()
        assert run(settings, site)[0] == OK
        counts.append(loopback.total_requests())
    # Access check, lock, listing, manifest read (not on a first publish: nothing
    # to compare), uploads, verify listing, a HEAD per upload (its headers),
    # manifest write, lock given back. Before the lock: 2n + 4, 3 and 7.
    assert counts == [2 * files + 6, 5, 9]

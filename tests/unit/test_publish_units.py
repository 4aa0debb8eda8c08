"""Unit tests of publishing's helpers: header table, phases, settings, limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitekit.dev.publish_bench import synthetic_site
from sitekit.publish.headers import IMMUTABLE, REVALIDATE, Headers, headers_for
from sitekit.publish.plan import (
    PHASES,
    RefusedError,
    check_deletes,
    is_protected,
    phase_of,
    scan_output,
)
from sitekit.publish.settings import SettingsError, load, read_publishconf, validate

ROOT = Path(__file__).resolve().parents[2]


UTF8 = "; charset=utf-8"


@pytest.mark.parametrize(
    ("key", "content_type", "cache_control"),
    [
        ("index.html", "text/html" + UTF8, REVALIDATE),
        ("fr/actualites/x.html", "text/html" + UTF8, REVALIDATE),
        ("feeds/all.atom.xml", "application/atom+xml" + UTF8, REVALIDATE),
        ("sitemap.xml", "application/xml" + UTF8, REVALIDATE),
        ("robots.txt", "text/plain" + UTF8, REVALIDATE),
        ("site.webmanifest", "application/manifest+json", REVALIDATE),
        ("theme/css/site.css", "text/css" + UTF8, "public, max-age=31536000"),
        ("theme/js/site.js", "text/javascript" + UTF8, "public, max-age=31536000"),
        ("theme/fonts/text.woff2", "font/woff2", "public, max-age=86400"),
        ("favicon.svg", "image/svg+xml", "public, max-age=86400"),
        ("data/list.json", "application/json", REVALIDATE),
        ("pagefind/pagefind-entry.json", "application/json", REVALIDATE),
        ("pagefind/pagefind.js", "text/javascript" + UTF8, REVALIDATE),
        ("pagefind/wasm.unknown.pagefind", "application/octet-stream", REVALIDATE),
        ("pagefind/pagefind.nl_0a1b.pf_meta", "application/octet-stream", IMMUTABLE),
        ("pagefind/index/nl_3d4e.pf_index", "application/octet-stream", IMMUTABLE),
        ("pagefind/fragment/nl_6a.pf_fragment", "application/octet-stream", IMMUTABLE),
        ("pagefind/filter/nl_9f.pf_filter", "application/octet-stream", IMMUTABLE),
        ("tools/search.wasm", "application/wasm", "public, max-age=86400"),
        ("docs/rapport.pdf", "application/pdf", "public, max-age=86400"),
    ],
)
def test_header_table(key, content_type, cache_control):
    headers, known = headers_for(key)
    assert known
    assert (headers.content_type, headers.cache_control) == (
        content_type,
        cache_control,
    )


def test_files_without_extension_are_typed_by_their_bytes():
    assert headers_for("LICENSE", b"Content: CC BY\n")[0].content_type == (
        "text/plain" + UTF8
    )
    assert headers_for("blob", b"\x00\x01\xff")[0].content_type == (
        "application/octet-stream"
    )


def test_an_unknown_extension_is_flagged():
    headers, known = headers_for("notes.xyz")
    assert not known and headers.content_type == "application/octet-stream"


def test_only_fingerprinted_names_are_immutable(tmp_path):
    site = synthetic_site(tmp_path / "site")
    for key, item in scan_output(site).items():
        if "immutable" in item.headers.cache_control:
            assert key.endswith((".pf_meta", ".pf_index", ".pf_fragment", ".pf_filter"))


def test_header_differences_ignore_case_and_spacing():
    wanted = Headers("text/html; charset=utf-8", REVALIDATE)
    assert wanted.differences(Headers("text/html;charset=UTF-8", REVALIDATE)) == []
    [change] = wanted.differences(Headers("text/html; charset=utf-8", "no-store"))
    assert change.startswith("cache-control: 'no-store' → ")


def test_phases_put_home_pages_last():
    def phase(key: str) -> int:
        return PHASES.index(phase_of(key, headers_for(key)[0]))

    order = [
        "theme/css/site.css",
        "feeds/all.atom.xml",
        "fr/page.html",
        "en/index.html",
        "index.html",
    ]
    assert [phase(key) for key in order] == [0, 1, 2, 3, 4]
    assert phase("nieuws/index.html") == 2  # a news list, not a language home
    assert phase("sitemap.xml") == 1


def test_protected_globs():
    globs = (".well-known/*", "keep/")
    assert is_protected(".well-known/security.txt", globs)
    assert is_protected("keep/a/b.txt", globs)
    assert not is_protected("index.html", globs)


def _keys(count: int, folder: str = "") -> list[str]:
    return [f"{folder}page-{number:03d}.html" for number in range(count)]


def test_delete_limits():
    settings = validate({"bucket": "site", "max_deletes": 5, "max_delete_share": 0.2})
    store = _keys(100)
    check_deletes(_keys(5), store, settings, None)
    with pytest.raises(RefusedError, match="--allow-deletes 6"):
        check_deletes(_keys(6), store, settings, None)
    with pytest.raises(RefusedError, match="limit"):
        check_deletes(_keys(3), _keys(10), settings, None)  # 30 % of the store
    check_deletes(_keys(60), store, settings, 60)
    with pytest.raises(RefusedError, match="more than --allow-deletes 59"):
        check_deletes(_keys(60), store, settings, 59)


def test_delete_limits_hold_in_each_top_level_folder():
    """A whole language is refused even where it is a small share of the site."""
    settings = validate({"bucket": "site", "max_deletes": 25, "max_delete_share": 0.2})
    store = _keys(80) + _keys(20, "de/") + _keys(100, "theme/")
    with pytest.raises(RefusedError, match=r"in de/ \(100%\)"):
        check_deletes(_keys(20, "de/"), store, settings, None)  # 10 % in total
    check_deletes(_keys(1, "de/") + _keys(4), store, settings, None)
    check_deletes(_keys(20, "de/"), store, settings, 20)  # confirmed


def test_publishconf_has_a_valid_literal_publish_dict():
    raw = read_publishconf(ROOT / "publishconf.py")
    settings = validate({**raw, "bucket": "example-site"})
    assert ".well-known/*" in settings.protected


def test_environment_overrides_publishconf_and_flags_override_both(tmp_path):
    conf = tmp_path / "publishconf.py"
    conf.write_text('PUBLISH = {"bucket": "from-file", "prefix": "a"}\n')
    environ = {
        "PUBLISH_BUCKET": "from-env",
        "PUBLISH_PREFIX": "/b/",
        "PUBLISH_PATH_STYLE": "yes",
        "PUBLISH_ENDPOINT_URL": "http://127.0.0.1:9000/",
        "PUBLISH_REGION": "eu-west-3",
    }
    settings = load(conf, environ)
    assert (settings.bucket, settings.prefix, settings.path_style) == (
        "from-env",
        "b/",
        True,
    )
    assert settings.endpoint_url == "http://127.0.0.1:9000"
    assert settings.region == "eu-west-3"
    assert load(conf, environ, bucket="from-flag", prefix=None).bucket == "from-flag"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({}, "PUBLISH_BUCKET"),
        ({"bucket": "Bad_Bucket!"}, "not a valid bucket name"),
        ({"bucket": "site", "prefix": "a/../b"}, "'..'"),
        ({"bucket": "site", "endpoint_url": "s3.example.net"}, "not a web address"),
        ({"bucket": "site", "endpoint_url": "http://s3.example.net"}, "this machine"),
        ({"bucket": "site", "endpoint_url": "https://K:S@s3.example.net"}, "user name"),
        ({"bucket": "site", "buckett": "x"}, "unknown key 'buckett' .did you mean"),
        ({"bucket": "site", "max_delete_share": 2}, "must be at most 1"),
        ({"bucket": "site", "max_deletes": "25"}, "must be a whole number"),
        ({"bucket": "site", "redirects": {"a.html": "b.html"}}, "must start with '/'"),
        ({"bucket": "site", "path_style": "maybe"}, "yes/no"),
    ],
)
def test_settings_errors_say_what_to_fix(raw, message):
    with pytest.raises(SettingsError, match=message):
        validate(raw)


def test_a_computed_publish_dict_is_refused(tmp_path):
    conf = tmp_path / "publishconf.py"
    conf.write_text('import os\nPUBLISH = {"bucket": os.environ["X"]}\n')
    with pytest.raises(SettingsError, match="line 2: PUBLISH must be a plain dict"):
        read_publishconf(conf)


def test_publishings_own_objects_are_outside_the_prefix_or_denied_by_the_policy():
    import json
    import re

    from sitekit.publish import storage

    for prefix in ("site", "preview/site"):
        settings = validate({"bucket": "site-bucket", "prefix": prefix})
        for key in (storage.manifest_key(settings), storage.lock_key(settings)):
            assert not key.startswith(settings.prefix)
    # At the bucket root, the README's bucket policy denies visitors that folder.
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    snippet = re.search(r'\{"Sid": "NoBookkeeping".*?\}', readme, re.S)
    assert snippet, "README: the bucket policy statement for the bookkeeping folder"
    statement = json.loads(snippet.group(0))
    assert statement["Effect"] == "Deny" and statement["Principal"] == "*"
    assert statement["Resource"].endswith("/" + storage.BOOKKEEPING + "*")
    with pytest.raises(SettingsError, match="publishing's own folder"):
        validate({"bucket": "site-bucket", "prefix": storage.BOOKKEEPING})


def test_a_refused_publish_leaves_nothing_behind(tmp_path):
    """No lock file beside an output no build made: refused means nothing written."""
    from sitekit.publish.run import main
    from tests.support import run_main

    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<!DOCTYPE html><html></html>")
    argv = ["--settings", ROOT / "publishconf.py", "--output", site, "--dry-run"]
    argv += ["--bucket", "test-bucket", "--endpoint-url", "http://127.0.0.1:1"]
    result = run_main(main, argv)
    assert result.returncode == 2, result.stderr
    assert "Publishing refused" in result.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == ["site"]

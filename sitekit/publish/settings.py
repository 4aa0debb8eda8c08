"""The `PUBLISH` settings: from publishconf.py, overridden by environment and flags.

publishconf.py is read without running it: it needs SITEURL (a build setting) that a
publishing job or a dry run on a laptop should not have to provide. So `PUBLISH` must be
a plain literal dict there; anything that differs per environment comes from the
`PUBLISH_*` environment variables or the task's flags instead. Credentials are never
settings: boto3 takes them from the standard AWS chain (environment, profile, role).
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sitekit.settings import (
    Option,
    SettingsError,
    defaults,
    https_url_problem,
    read_options,
)

ENVIRONMENT = {
    "bucket": "PUBLISH_BUCKET",
    "prefix": "PUBLISH_PREFIX",
    "endpoint_url": "PUBLISH_ENDPOINT_URL",
    "region": "PUBLISH_REGION",
    "path_style": "PUBLISH_PATH_STYLE",
}
# The CDN's distribution, per environment like the bucket.
CDN_ENVIRONMENT = "PUBLISH_CDN_DISTRIBUTION"
# Publishing's own folder in the bucket (sitekit.publish.storage.BOOKKEEPING): no site
# key, redirect or prefix may use it.
RESERVED = ".sitekit-publish"

# S3's rules; S3-compatible stores accept a subset of what this allows or the same.
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.\-_]{1,61}[a-z0-9]$")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


@dataclass(frozen=True)
class PublishSettings:
    """Validated publishing settings; OPTIONS gives the meaning and default of each."""

    bucket: str
    prefix: str
    region: str
    endpoint_url: str
    path_style: bool
    max_deletes: int
    max_delete_share: float
    min_files: int
    protected: tuple[str, ...]
    redirects: Mapping[str, str]
    workers: int
    retry_mode: str
    max_attempts: int
    connect_timeout: float
    read_timeout: float
    cdn: Mapping[str, Any]

    def with_overrides(self, **changes: Any) -> PublishSettings:
        """Return a copy with some fields changed, validated again."""
        merged = {**self.__dict__, **changes}
        return validate(merged, source="overrides")

    def describe(self) -> str:
        """One line naming where the site goes, for messages."""
        where = self.endpoint_url or "AWS S3"
        return f"s3://{self.bucket}/{self.prefix} at {where}"


def read_publishconf(path: Path) -> dict[str, Any]:
    """Return the literal `PUBLISH` dict of a settings file ({} when it has none)."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (OSError, SyntaxError) as error:
        raise SettingsError(f"cannot read {path}: {error}") from error
    found: dict[str, Any] = {}
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id == "PUBLISH"
        ):
            try:
                found = ast.literal_eval(node.value)
            except ValueError as error:
                raise SettingsError(
                    f"{path}, line {node.lineno}: PUBLISH must be a plain dict of "
                    "literal values (strings, numbers, lists, dicts); take values "
                    "that differ per environment from the PUBLISH_* environment "
                    "variables instead"
                ) from error
            if not isinstance(found, dict):
                raise SettingsError(
                    f"{path}, line {node.lineno}: PUBLISH must be a dict"
                )
    return found


def _bool(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise SettingsError(f"{name}={value!r} is not a yes/no value; use true or false")


def normalise_prefix(prefix: str) -> str:
    """Turn 'site' or '/site/' into the key prefix 'site/' ('' is the bucket root)."""
    prefix = prefix.strip().strip("/")
    if not prefix:
        return ""
    parts = prefix.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise SettingsError(
            f"prefix {prefix!r} has an empty, '.' or '..' segment; "
            "use a plain path such as 'site' or 'preview/site'"
        )
    return prefix + "/"


def _bucket_problem(bucket: str) -> str | None:
    if not bucket or (_BUCKET.match(bucket) and ".." not in bucket):
        return None
    return (
        "is not a valid bucket name: 3-63 characters, lower-case letters, digits, "
        "'.', '-' only, starting and ending with a letter or digit"
    )


def _prefix_problem(prefix: str) -> str | None:
    parts = prefix.strip().strip("/").split("/")
    if prefix.strip().strip("/") and any(part in ("", ".", "..") for part in parts):
        return (
            "has an empty, '.' or '..' segment; use a plain path such as 'site' or "
            "'preview/site'"
        )
    return None


def _endpoint_problem(endpoint: str) -> str | None:
    endpoint = endpoint.strip()
    if not endpoint:
        return None
    try:
        parts = urlsplit(endpoint)
    except ValueError as error:
        return f"cannot be read ({error})"
    if parts.scheme == "http" and parts.hostname in LOOPBACK and not parts.username:
        return None  # a store on this machine (tests, a local MinIO)
    reason = https_url_problem(endpoint, allow_port=True)
    if reason and parts.scheme == "http":
        reason += " (plain http is allowed only for a store on this machine)"
    return reason


def _region_problem(region: str) -> str | None:
    if re.fullmatch(r"[a-z0-9-]{2,40}", region.strip()):
        return None
    return (
        "is not a region name such as eu-west-1 (S3-compatible stores often accept "
        "us-east-1 or their own, e.g. 'auto')"
    )


def _globs_problem(protected: list | tuple) -> str | None:
    if all(isinstance(pattern, str) for pattern in protected):
        return None
    return "must be a list of glob strings, e.g. ['.well-known/*']"


def key_problem(key: str) -> str | None:
    """Why `key` (relative to the prefix) cannot be a site key, or None."""
    parts = key.split("/")
    if any(part in ("", ".", "..") for part in parts) or "\\" in key:
        return (
            "has an empty, '.' or '..' segment (or a backslash): it would leave the "
            "prefix; name a file such as 'old/page.html'"
        )
    if parts[0] == RESERVED:
        return f"is inside {RESERVED}/, publishing's own folder"
    return None


def _redirects_problem(redirects: Mapping) -> str | None:
    for old, new in redirects.items():
        old_key, target = str(old).strip().lstrip("/"), str(new).strip()
        if not old_key or old_key.endswith("/"):
            return f"has the source {old!r}: name a file such as 'old/page.html'"
        if problem := key_problem(old_key):
            return f"has the source {old!r}, which {problem}"
        if not target.startswith("/") and https_url_problem(target):
            return (
                f"has the target {new!r} (from {old!r}): it must start with '/' "
                "or be an absolute https URL"
            )
    return None


def _cdn_problem(cdn: Mapping) -> str | None:
    try:
        read_options("PUBLISH['cdn']", cdn, CDN_OPTIONS)
    except SettingsError as error:
        return f"is not valid: {error}"
    return None


def _retry_problem(mode: str) -> str | None:
    if mode in ("standard", "adaptive"):
        return None
    return "must be 'standard' or 'adaptive' (adaptive also slows down when throttled)"


LOOPBACK = ("127.0.0.1", "localhost", "::1")
# CloudFront (or a compatible API) in front of the bucket: after a publish, the URLs
# whose objects changed are invalidated in one batch (sitekit.publish.cdn).
CDN_OPTIONS = {
    # The distribution's ID; "" means no CDN. Also PUBLISH_CDN_DISTRIBUTION.
    "distribution_id": Option("", str),
    # "" is AWS CloudFront; tests use a loopback endpoint.
    "endpoint_url": Option("", str, _endpoint_problem),
    # Above this many paths, invalidate "/*" instead (one path, same price).
    "max_paths": Option(300, int, low=1, high=3000),
    # Wait until the CDN reports the invalidation complete (also --wait-for-cdn).
    "wait": Option(False, bool),
}
OPTIONS = {
    # Where to publish: PUBLISH_BUCKET, --bucket or here.
    "bucket": Option("", str, _bucket_problem),
    # Key prefix inside the bucket, e.g. "site"; "" is the bucket root.
    "prefix": Option("", str, _prefix_problem),
    "region": Option("us-east-1", str, _region_problem),
    # "" is AWS S3; e.g. https://s3.example.net for other stores.
    "endpoint_url": Option("", str, _endpoint_problem),
    # True for stores without virtual-host buckets (MinIO, Ceph).
    "path_style": Option(False, bool),
    # Refuse a plan that deletes more than this many objects, or more than this share
    # of the objects now published, unless `--allow-deletes N` confirms the number.
    "max_deletes": Option(25, int, low=0, high=10**9),
    "max_delete_share": Option(0.2, float, low=0, high=1),
    # An output with fewer files than this is a broken build, not a site.
    "min_files": Option(20, int, low=1, high=10**9),
    # Keys (relative to the prefix) that publishing never uploads, changes or deletes.
    "protected": Option((".well-known/*",), (list, tuple), _globs_problem),
    # Moved pages: old path → new path ("/…") or absolute https URL.
    "redirects": Option({}, Mapping, _redirects_problem),
    "workers": Option(8, int, low=1, high=64),
    "retry_mode": Option("standard", str, _retry_problem),
    "max_attempts": Option(5, int, low=1, high=20),
    "connect_timeout": Option(5.0, float, low=0.1, high=120),
    "read_timeout": Option(60.0, float, low=1, high=900),
    "cdn": Option({}, Mapping, _cdn_problem),
}
DEFAULTS = defaults(OPTIONS)


def validate(raw: Mapping[str, Any], source: str = "PUBLISH") -> PublishSettings:
    """Check every value and return PublishSettings.

    Raises SettingsError saying which key is wrong and how to fix it.
    """
    raw = dict(raw)
    _refuse_credentials(raw.get("endpoint_url"), "endpoint_url")
    if isinstance(raw.get("cdn"), Mapping):
        _refuse_credentials(raw["cdn"].get("endpoint_url"), "cdn endpoint_url")
    if isinstance(raw.get("path_style"), str):  # from the environment
        raw["path_style"] = _bool(raw["path_style"], "path_style")
    values = read_options(source, raw, OPTIONS, "in publishconf.py")
    bucket = values["bucket"].strip()
    if not bucket:
        raise SettingsError(
            "no bucket to publish to: set PUBLISH_BUCKET=<name> in the environment, "
            "pass --bucket, or set PUBLISH['bucket'] in publishconf.py"
        )
    redirects = {
        str(old).strip().lstrip("/"): str(new).strip()
        for old, new in values["redirects"].items()
    }
    protected = [key for key in redirects if _matches(key, values["protected"])]
    if protected:
        raise SettingsError(
            f"PUBLISH['redirects'] has the source {protected[0]!r}, which is a "
            "protected key (PUBLISH['protected']): publishing never writes it. Remove "
            "the redirect, or the pattern from 'protected' if it really is a page."
        )
    prefix = normalise_prefix(values["prefix"])
    if prefix.split("/")[0] == RESERVED:
        raise SettingsError(
            f"prefix {prefix!r} is inside {RESERVED}/, publishing's own folder: "
            "choose another prefix"
        )
    return PublishSettings(
        **{
            **values,
            "bucket": bucket,
            "prefix": prefix,
            "cdn": read_options("PUBLISH['cdn']", values["cdn"], CDN_OPTIONS),
            "region": values["region"].strip(),
            "endpoint_url": values["endpoint_url"].strip().rstrip("/"),
            "protected": tuple(values["protected"]),
            "redirects": redirects,
            "max_delete_share": float(values["max_delete_share"]),
            "connect_timeout": float(values["connect_timeout"]),
            "read_timeout": float(values["read_timeout"]),
        }
    )


def load(
    publishconf: Path | None,
    environ: Mapping[str, str] | None = None,
    **flags: Any,
) -> PublishSettings:
    """Read publishconf.py, then PUBLISH_* environment variables, then flags.

    A flag given as None counts as not given.
    """
    raw: dict[str, Any] = read_publishconf(publishconf) if publishconf else {}
    environ = os.environ if environ is None else environ
    for key, variable in ENVIRONMENT.items():
        if variable in environ:
            raw[key] = environ[variable]
    if environ.get(CDN_ENVIRONMENT):
        raw["cdn"] = {**raw.get("cdn", {}), "distribution_id": environ[CDN_ENVIRONMENT]}
    raw.update({key: value for key, value in flags.items() if value is not None})
    return validate(raw)


def _refuse_credentials(endpoint: Any, name: str) -> None:
    """Refuse a user name or password in an endpoint, without ever printing them."""
    if not isinstance(endpoint, str):
        return
    try:
        parts = urlsplit(endpoint.strip())
        has_credentials = parts.username is not None or parts.password is not None
    except ValueError:
        return  # the option's own check explains it
    if has_credentials:
        host = parts.hostname or "?"
        raise SettingsError(
            f"PUBLISH {name} holds a user name or password ({parts.scheme}://***@"
            f"{host}): credentials never belong in a URL, where logs and reports "
            "show them. Write the plain address and give the keys through "
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (CI: its secrets)."
        )


def _matches(key: str, globs: Any) -> bool:
    from fnmatch import fnmatchcase

    for glob in globs:
        pattern = str(glob).lstrip("/")
        if fnmatchcase(key, pattern + "*" if pattern.endswith("/") else pattern):
            return True
    return False

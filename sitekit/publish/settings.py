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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sitekit.settings import SettingsError

DEFAULTS: dict[str, Any] = {
    "bucket": "",
    "prefix": "",
    "region": "us-east-1",
    "endpoint_url": "",
    "path_style": False,
    # Refuse a plan that deletes more than this many objects, or more than this share
    # of the objects now published, unless `--allow-deletes N` confirms the number.
    "max_deletes": 25,
    "max_delete_share": 0.2,
    # An output with fewer files than this is a broken build, not a site.
    "min_files": 10,
    # Keys (relative to the prefix) that publishing never uploads, changes or deletes.
    "protected": [".well-known/*"],
    # Moved pages: old path → new path ("/…") or absolute URL.
    "redirects": {},
    "workers": 8,
    "retry_mode": "standard",
    "max_attempts": 5,
    "connect_timeout": 5,
    "read_timeout": 60,
}

ENVIRONMENT = {
    "bucket": "PUBLISH_BUCKET",
    "prefix": "PUBLISH_PREFIX",
    "endpoint_url": "PUBLISH_ENDPOINT_URL",
    "region": "PUBLISH_REGION",
    "path_style": "PUBLISH_PATH_STYLE",
}

# S3's rules; S3-compatible stores accept a subset of what this allows or the same.
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.\-_]{1,61}[a-z0-9]$")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


@dataclass(frozen=True)
class PublishSettings:
    """Validated publishing settings; see DEFAULTS for the meaning of each field."""

    bucket: str
    prefix: str = ""
    region: str = "us-east-1"
    endpoint_url: str = ""
    path_style: bool = False
    max_deletes: int = 25
    max_delete_share: float = 0.2
    min_files: int = 10
    protected: tuple[str, ...] = (".well-known/*",)
    redirects: Mapping[str, str] = field(default_factory=dict)
    workers: int = 8
    retry_mode: str = "standard"
    max_attempts: int = 5
    connect_timeout: float = 5
    read_timeout: float = 60

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


def _number(value: Any, name: str, kind: type, low: float, high: float) -> Any:
    try:
        number = kind(value)
    except (TypeError, ValueError):
        number = None
    if number is None or isinstance(value, bool) or not low <= number <= high:
        raise SettingsError(
            f"PUBLISH[{name!r}]={value!r} must be a number from {low} to {high}"
        )
    return number


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


def validate(raw: Mapping[str, Any], source: str = "PUBLISH") -> PublishSettings:
    """Check every value and return PublishSettings.

    Raises SettingsError saying which key is wrong and how to fix it.
    """
    unknown = sorted(set(raw) - set(DEFAULTS))
    if unknown:
        raise SettingsError(
            f"{source} has unknown key(s) {', '.join(unknown)}; "
            f"known keys are {', '.join(sorted(DEFAULTS))}"
        )
    values = {**DEFAULTS, **raw}
    bucket = str(values["bucket"] or "").strip()
    if not bucket:
        raise SettingsError(
            "no bucket to publish to: set PUBLISH_BUCKET=<name> in the environment, "
            "pass --bucket, or set PUBLISH['bucket'] in publishconf.py"
        )
    if not _BUCKET.match(bucket) or ".." in bucket:
        raise SettingsError(
            f"bucket {bucket!r} is not a valid bucket name: 3-63 characters, "
            "lower-case letters, digits, '.', '-' only, starting and ending with a "
            "letter or digit"
        )
    endpoint = str(values["endpoint_url"] or "").strip().rstrip("/")
    if endpoint:
        parts = urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SettingsError(
                f"endpoint_url {endpoint!r} is not a URL such as "
                "https://s3.example.net or http://127.0.0.1:9000"
            )
    region = str(values["region"] or "").strip()
    if not re.fullmatch(r"[a-z0-9-]{2,40}", region):
        raise SettingsError(
            f"region {region!r} is not a region name such as eu-west-1 "
            "(S3-compatible stores often accept us-east-1 or their own, e.g. 'auto')"
        )
    protected = values["protected"]
    if isinstance(protected, str) or not all(isinstance(p, str) for p in protected):
        raise SettingsError(
            "PUBLISH['protected'] must be a list of glob strings, "
            "e.g. ['.well-known/*']"
        )
    redirects = values["redirects"]
    if not isinstance(redirects, Mapping):
        raise SettingsError(
            "PUBLISH['redirects'] must be a dict: {'old/page.html': '/new/page.html'}"
        )
    clean_redirects: dict[str, str] = {}
    for old, new in redirects.items():
        old_key = str(old).strip().lstrip("/")
        target = str(new).strip()
        if not old_key or old_key.endswith("/"):
            raise SettingsError(
                f"redirect source {old!r} must name a file such as 'old/page.html'"
            )
        if not (target.startswith("/") or re.match(r"https?://", target)):
            raise SettingsError(
                f"redirect target {new!r} (from {old!r}) must start with '/' "
                "or be an absolute http(s) URL"
            )
        clean_redirects[old_key] = target
    retry_mode = str(values["retry_mode"])
    if retry_mode not in ("standard", "adaptive"):
        raise SettingsError(
            f"retry_mode {retry_mode!r} must be 'standard' or 'adaptive' "
            "(adaptive also slows down when the store throttles)"
        )
    return PublishSettings(
        bucket=bucket,
        prefix=normalise_prefix(str(values["prefix"] or "")),
        region=region,
        endpoint_url=endpoint,
        path_style=_bool(values["path_style"], "path_style"),
        max_deletes=_number(values["max_deletes"], "max_deletes", int, 0, 10**9),
        max_delete_share=_number(
            values["max_delete_share"], "max_delete_share", float, 0, 1
        ),
        min_files=_number(values["min_files"], "min_files", int, 1, 10**9),
        protected=tuple(protected),
        redirects=clean_redirects,
        workers=_number(values["workers"], "workers", int, 1, 64),
        retry_mode=retry_mode,
        max_attempts=_number(values["max_attempts"], "max_attempts", int, 1, 20),
        connect_timeout=_number(
            values["connect_timeout"], "connect_timeout", float, 0.1, 120
        ),
        read_timeout=_number(values["read_timeout"], "read_timeout", float, 1, 900),
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
    raw.update({key: value for key, value in flags.items() if value is not None})
    return validate(raw)

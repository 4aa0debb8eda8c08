"""Talking to the object store: the client, clear errors, listing and the four writes.

Every request goes through one boto3 client created here, so the settings that make
S3-compatible stores work (no default CRC32 checksums, path-style addressing, short
connect timeout, retries) are set in one place.
"""

from __future__ import annotations

import base64
import binascii
import getpass
import json
import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import botocore.session
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
)
from botocore.loaders import Loader

from sitekit.errors import SiteError
from sitekit.publish.headers import Headers
from sitekit.publish.settings import PublishSettings

# Files above this go up in parts; their ETag is then not an MD5, hence our metadata.
MULTIPART_THRESHOLD = 64 * 1024 * 1024
MD5_METADATA = "md5"  # sent as x-amz-meta-md5
# Publishing's own objects live under this folder, beside the site's prefix and never
# inside it: `<BOOKKEEPING><prefix>manifest.json` and `<BOOKKEEPING><prefix>lock.json`.
# With the bucket root as prefix, the folder is a reserved name the site cannot contain,
# and the documented bucket policy (README, "Publishing") denies visitors reading it.
#
# The manifest records what the last successful run published: per key its MD5 and
# headers, and the ETag and last-modified time it had then. A key whose ETag and time
# still match needs no HEAD to know its MD5 and headers; any later write (a copy too)
# changes the time and brings the HEAD back. Missing or unreadable, it only costs those
# HEADs.
BOOKKEEPING = ".sitekit-publish/"
# A lock older than this is taken to be left by a publish that died; one run of ours
# never takes this long (2,000 files publish in under a minute).
LOCK_LEASE_SECONDS = 3600
MANIFEST_VERSION = 1
_MD5 = re.compile(r"^[0-9a-f]{32}$")

_CREDENTIAL_ERRORS = (NoCredentialsError, PartialCredentialsError, ProfileNotFound)
# Errors that no retry can fix: stop the whole run at once and say why.
FATAL_CODES = {
    "AccessDenied",
    "AccountProblem",
    "AllAccessDisabled",
    "AuthorizationHeaderMalformed",
    "ExpiredToken",
    "InvalidAccessKeyId",
    "InvalidBucketName",
    "InvalidToken",
    "NoSuchBucket",
    "PermanentRedirect",
    "SignatureDoesNotMatch",
}


class StorageError(SiteError):
    """A problem retrying will not fix; the message says what to do."""


@dataclass(frozen=True)
class RemoteObject:
    """One object as listed: key relative to the prefix, size, ETag, time.

    ETag and last-modified time together change on every write, copies too.
    """

    key: str
    size: int
    etag: str
    modified: str = ""


@dataclass(frozen=True)
class RemoteHead:
    """What a HEAD tells: the content's MD5 if known, and the object's headers."""

    md5: str | None
    etag: str
    size: int
    headers: Headers


# botocore's data models (S3's is ~1 MB of JSON, plus the endpoint rules) are the same
# for every client, but each new session parses them again: ~60 ms of CPU per client.
# Sessions therefore share one loader, as every client of boto3's default session
# does; each session still reads the credentials and config files when it is made.
_LOADER_LOCK = threading.Lock()
_loader: Loader | None = None
_loader_paths = 0  # len(search_paths) once boto3 added its own


def new_session() -> boto3.session.Session:
    """A new boto3 session (credentials from the chain as of now), shared models."""
    global _loader, _loader_paths
    core = botocore.session.get_session()
    with _LOADER_LOCK:  # a session is not thread-safe while it is being set up
        if _loader is None:
            session = boto3.session.Session(botocore_session=core)
            _loader = core.get_component("data_loader")
            _loader_paths = len(_loader.search_paths)
            return session
        core.register_component("data_loader", _loader)
        session = boto3.session.Session(botocore_session=core)
        # boto3 appends its own data folder to the loader of every session it wraps:
        # once is enough for the shared one.
        del _loader.search_paths[_loader_paths:]
        return session


def make_client(
    settings: PublishSettings,
    *,
    max_attempts: int | None = None,
    connect_timeout: float | None = None,
    read_timeout: float | None = None,
) -> Any:
    """Create the S3 client; credentials come from the standard AWS chain."""
    options: dict[str, Any] = {
        "region_name": settings.region,
        # boto3 >= 1.36 adds CRC32 checksums to every upload by default, which
        # several S3-compatible stores reject; send them only where the API needs them.
        "request_checksum_calculation": "when_required",
        "response_checksum_validation": "when_required",
        # botocore's `max_attempts` counts the retries only (1 meant two requests);
        # ours counts every request, as its name says and check_access needs.
        "retries": {
            "mode": settings.retry_mode,
            "total_max_attempts": max_attempts or settings.max_attempts,
        },
        "connect_timeout": connect_timeout or settings.connect_timeout,
        "read_timeout": read_timeout or settings.read_timeout,
        "max_pool_connections": settings.workers + 2,
    }
    if settings.path_style:
        options["s3"] = {"addressing_style": "path"}
    return new_session().client(
        "s3", endpoint_url=settings.endpoint_url or None, config=Config(**options)
    )


def error_code(error: BaseException) -> str:
    """Return the S3 error code of a ClientError ('' for other errors)."""
    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Code", ""))
    return ""


def is_fatal(error: BaseException) -> bool:
    """Tell whether retrying cannot help (credentials, permissions, no bucket)."""
    if isinstance(
        error, NoCredentialsError | PartialCredentialsError | ProfileNotFound
    ):
        return True
    return error_code(error) in FATAL_CODES or error_code(error) in ("403", "404")


def explain(error: BaseException, settings: PublishSettings) -> str:
    """Say for people what went wrong and how to fix it."""
    where = settings.endpoint_url or f"AWS S3 ({settings.region})"
    bucket = settings.bucket
    if isinstance(
        error, NoCredentialsError | PartialCredentialsError | ProfileNotFound
    ):
        return (
            f"no usable AWS credentials ({error}). Set AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) in the environment; CI passes them "
            "from its secrets. They never belong in the repository."
        )
    if isinstance(error, EndpointConnectionError | ConnectTimeoutError):
        return (
            f"cannot reach the storage at {where}: {error}. Check PUBLISH_ENDPOINT_URL "
            "(or --endpoint-url) and the network."
        )
    if isinstance(error, ReadTimeoutError | ConnectionClosedError):
        return f"the storage at {where} stopped answering: {error}"
    code = error_code(error)
    message = {
        "NoSuchBucket": f"bucket {bucket!r} does not exist at {where}. Create it, or "
        "fix PUBLISH_BUCKET (or --bucket).",
        "404": f"bucket {bucket!r} does not exist at {where}. Create it, or fix "
        "PUBLISH_BUCKET (or --bucket).",
        "InvalidAccessKeyId": f"the access key ID is not known at {where}: check "
        "AWS_ACCESS_KEY_ID (or the profile named by AWS_PROFILE).",
        "SignatureDoesNotMatch": "the secret key does not match the access key ID: "
        "check AWS_SECRET_ACCESS_KEY.",
        "ExpiredToken": "the credentials have expired: renew the session token.",
        "InvalidToken": "the session token is not valid: check AWS_SESSION_TOKEN.",
        "AccessDenied": f"access denied to bucket {bucket!r}: the credentials need "
        "s3:ListBucket on the bucket and s3:GetObject, s3:PutObject, "
        f"s3:DeleteObject on {bucket}/{settings.prefix}*.",
        "403": f"access denied to bucket {bucket!r} at {where}: check the "
        "credentials and their permissions.",
        "PermanentRedirect": f"bucket {bucket!r} is in another region: set "
        "PUBLISH_REGION to the bucket's region.",
        "AuthorizationHeaderMalformed": f"bucket {bucket!r} is in another region: "
        "set PUBLISH_REGION to the bucket's region.",
    }.get(code)
    if message:
        return message
    if isinstance(error, ClientError):
        detail = error.response.get("Error", {}).get("Message", "")
        return f"the storage answered {code or 'an error'}: {detail or error}"
    if isinstance(error, BotoCoreError):
        return f"{type(error).__name__}: {error}"
    return f"{type(error).__name__}: {error}"


def check_access(settings: PublishSettings) -> None:
    """Fail fast and clearly on bad credentials, a missing bucket or a dead endpoint.

    One request, no retries, a short connect timeout.
    """
    client = make_client(
        settings,
        max_attempts=1,
        connect_timeout=min(settings.connect_timeout, 3),
        read_timeout=15,
    )
    try:
        # ListObjectsV2 rather than HeadBucket: its error body names the problem
        # (InvalidAccessKeyId, SignatureDoesNotMatch …) where HEAD only says 403.
        client.list_objects_v2(
            Bucket=settings.bucket, Prefix=settings.prefix, MaxKeys=1
        )
    except (BotoCoreError, ClientError) as error:
        raise StorageError(explain(error, settings)) from error


def manifest_key(settings: PublishSettings) -> str:
    """The key of publishing's manifest for this prefix (outside the prefix)."""
    return f"{BOOKKEEPING}{settings.prefix}manifest.json"


def lock_key(settings: PublishSettings) -> str:
    """The key of the lock a running publish holds on this prefix."""
    return f"{BOOKKEEPING}{settings.prefix}lock.json"


def holder_name() -> str:
    """Who holds a lock: user, machine, process, and the CI run when there is one."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "?"
    name = f"{user}@{socket.gethostname()} (process {os.getpid()})"
    if os.environ.get("GITHUB_RUN_ID"):
        name += f", CI run {os.environ['GITHUB_RUN_ID']}"
    return name


def take_lock(client: Any, settings: PublishSettings, now: float | None = None) -> str:
    """Take the prefix's lock with a conditional write; return its ETag.

    If-None-Match: * makes the store refuse the write when another publish holds the
    lock, so two runs cannot both take it. A lock past its lease is removed first.
    """
    now = time.time() if now is None else now
    body = json.dumps(
        {"holder": holder_name(), "since": now, "until": now + LOCK_LEASE_SECONDS}
    ).encode()
    for attempt in (1, 2):
        try:
            answer = client.put_object(
                Bucket=settings.bucket,
                Key=lock_key(settings),
                Body=body,
                IfNoneMatch="*",
                ContentType="application/json",
                CacheControl="no-store",
            )
            return _etag(answer.get("ETag", ""))
        except ClientError as error:
            if error_code(error) not in ("PreconditionFailed", "412", "409"):
                raise
            if error_code(error) == "ConditionalRequestConflict" or attempt == 2:
                raise StorageError(_held_message(client, settings)) from error
            if not _lock_expired(client, settings, now):
                raise StorageError(_held_message(client, settings)) from error
            client.delete_object(Bucket=settings.bucket, Key=lock_key(settings))
    raise AssertionError("unreachable")


def _read_lock(client: Any, settings: PublishSettings) -> dict[str, Any]:
    try:
        answer = client.get_object(Bucket=settings.bucket, Key=lock_key(settings))
        document = json.loads(answer["Body"].read())
    except (ClientError, ValueError):
        return {}
    return document if isinstance(document, dict) else {}


def _lock_expired(client: Any, settings: PublishSettings, now: float) -> bool:
    until = _read_lock(client, settings).get("until")
    return not isinstance(until, int | float) or until < now


def _held_message(client: Any, settings: PublishSettings) -> str:
    lock = _read_lock(client, settings)

    def when(value: Any) -> str:
        if not isinstance(value, int | float):
            return "?"
        return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(value))

    return (
        f"another publish to s3://{settings.bucket}/{settings.prefix} is running, "
        f"held by {lock.get('holder', 'an unknown holder')} since "
        f"{when(lock.get('since'))}. Wait for it to finish and publish again; if it "
        f"died, its lock expires at {when(lock.get('until'))} (or delete the key "
        f"{lock_key(settings)} once you are sure it is not running)."
    )


def release_lock(client: Any, settings: PublishSettings) -> None:
    """Give the prefix's lock back."""
    client.delete_object(Bucket=settings.bucket, Key=lock_key(settings))


def _etag(value: str) -> str:
    return value.strip().strip('"').lower()


def is_md5(etag: str) -> bool:
    """Tell whether an ETag can be an MD5 (single part, no SSE-KMS)."""
    return bool(_MD5.match(etag))


def list_objects(client: Any, settings: PublishSettings) -> dict[str, RemoteObject]:
    """List every object under the prefix, keyed by its key relative to the prefix.

    Folder placeholders (keys ending in '/') and our bookkeeping are left out.
    """
    found: dict[str, RemoteObject] = {}
    paginator = client.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=settings.bucket, Prefix=settings.prefix):
        for item in page.get("Contents", []):
            key = item["Key"][len(settings.prefix) :]
            if not key or key.endswith("/") or item["Key"].startswith(BOOKKEEPING):
                continue
            modified = item["LastModified"].isoformat()
            found[key] = RemoteObject(
                key, int(item["Size"]), _etag(item["ETag"]), modified
            )
    return found


def head(client: Any, settings: PublishSettings, key: str) -> RemoteHead:
    """HEAD one object: its MD5 (our metadata first, else a plain-MD5 ETag)."""
    answer = client.head_object(Bucket=settings.bucket, Key=settings.prefix + key)
    etag = _etag(answer.get("ETag", ""))
    md5 = (answer.get("Metadata") or {}).get(MD5_METADATA)
    if not (md5 and is_md5(md5.lower())):
        md5 = etag if is_md5(etag) else None
    headers = Headers(
        content_type=answer.get("ContentType", ""),
        cache_control=answer.get("CacheControl", ""),
        content_encoding=answer.get("ContentEncoding") or None,
        redirect=answer.get("WebsiteRedirectLocation") or None,
    )
    return RemoteHead(md5 and md5.lower(), etag, int(answer["ContentLength"]), headers)


def _object_args(headers: Headers, md5: str) -> dict[str, Any]:
    args: dict[str, Any] = {
        "ContentType": headers.content_type,
        "CacheControl": headers.cache_control,
        "Metadata": {MD5_METADATA: md5},
    }
    if headers.content_encoding:
        args["ContentEncoding"] = headers.content_encoding
    if headers.redirect:
        args["WebsiteRedirectLocation"] = headers.redirect
    return args


def upload(
    client: Any,
    settings: PublishSettings,
    key: str,
    md5: str,
    headers: Headers,
    *,
    path: Path | None = None,
    body: bytes | None = None,
    size: int = 0,
    multipart_threshold: int = MULTIPART_THRESHOLD,
) -> None:
    """Upload a file (or bytes) with its headers and our MD5 metadata.

    Single-part uploads send Content-MD5, so the store refuses a body that was
    corrupted on the way (or changed on disk while being read).
    """
    args = _object_args(headers, md5)
    target = settings.prefix + key
    if path is not None and size > multipart_threshold:
        transfer = TransferConfig(
            multipart_threshold=multipart_threshold,
            multipart_chunksize=max(multipart_threshold, 5 * 1024 * 1024),
            use_threads=False,  # we already run one upload per worker thread
        )
        client.upload_file(
            str(path), settings.bucket, target, ExtraArgs=args, Config=transfer
        )
        return
    content_md5 = base64.b64encode(binascii.unhexlify(md5)).decode("ascii")
    if path is not None:
        with path.open("rb") as stream:
            client.put_object(
                Bucket=settings.bucket,
                Key=target,
                Body=stream,
                ContentMD5=content_md5,
                **args,
            )
    else:
        client.put_object(
            Bucket=settings.bucket,
            Key=target,
            Body=body or b"",
            ContentMD5=content_md5,
            **args,
        )


def replace_headers(
    client: Any,
    settings: PublishSettings,
    key: str,
    md5: str,
    etag: str,
    headers: Headers,
) -> None:
    """Fix an object's headers in place: a server-side copy onto itself, no upload.

    CopySourceIfMatch makes the copy fail if the object changed since we planned.
    """
    target = settings.prefix + key
    client.copy_object(
        Bucket=settings.bucket,
        Key=target,
        CopySource={"Bucket": settings.bucket, "Key": target},
        CopySourceIfMatch=f'"{etag}"',
        MetadataDirective="REPLACE",
        **_object_args(headers, md5),
    )


def delete(
    client: Any,
    settings: PublishSettings,
    keys: Iterable[str],
    done: Callable[[int], None] | None = None,
) -> list[str]:
    """Delete keys in batches of 1,000; return a message per key that failed."""
    problems: list[str] = []
    keys = list(keys)
    for start in range(0, len(keys), 1000):
        batch = keys[start : start + 1000]
        answer = client.delete_objects(
            Bucket=settings.bucket,
            Delete={
                "Objects": [{"Key": settings.prefix + key} for key in batch],
                "Quiet": True,
            },
        )
        for error in answer.get("Errors", []):
            problems.append(
                f"{error.get('Key')}: {error.get('Code')} {error.get('Message')}"
            )
        if done:
            done(len(batch))
    return problems


def read_manifest(client: Any, settings: PublishSettings) -> dict[str, dict[str, Any]]:
    """Return the manifest's entries by key ({} if missing or unreadable)."""
    try:
        answer = client.get_object(Bucket=settings.bucket, Key=manifest_key(settings))
        document = json.loads(answer["Body"].read())
    except ClientError as error:
        if error_code(error) in ("NoSuchKey", "404"):
            return {}
        raise
    except ValueError:
        return {}  # not JSON: plan with HEADs, the next run writes a good one
    if not isinstance(document, dict) or document.get("version") != MANIFEST_VERSION:
        return {}
    entries = document.get("objects")
    return entries if isinstance(entries, dict) else {}


def known_head(entry: dict[str, Any], listed: RemoteObject) -> RemoteHead | None:
    """Return the manifest's MD5 and headers for `listed` if it is unchanged since."""
    if entry.get("etag") != listed.etag or entry.get("modified") != listed.modified:
        return None
    headers = Headers(
        content_type=entry.get("content_type", ""),
        cache_control=entry.get("cache_control", ""),
        content_encoding=entry.get("content_encoding"),
        redirect=entry.get("redirect"),
    )
    return RemoteHead(entry.get("md5"), listed.etag, listed.size, headers)


def write_manifest(
    client: Any,
    settings: PublishSettings,
    listed: dict[str, RemoteObject],
    published: dict[str, tuple[str, Headers]],
) -> None:
    """Record what is published: `published` maps key → (MD5, headers)."""
    objects = {}
    for key, (md5, headers) in sorted(published.items()):
        there = listed.get(key)
        if there is None:
            continue
        objects[key] = {
            "etag": there.etag,
            "modified": there.modified,
            "md5": md5,
            "content_type": headers.content_type,
            "cache_control": headers.cache_control,
            "content_encoding": headers.content_encoding,
            "redirect": headers.redirect,
        }
    body = json.dumps(
        {"version": MANIFEST_VERSION, "objects": objects}, separators=(",", ":")
    ).encode()
    client.put_object(
        Bucket=settings.bucket,
        Key=manifest_key(settings),
        Body=body,
        ContentType="application/json",
        CacheControl="no-store",
    )

"""The publishing plan: what to upload, fix or delete, by content and never by mtime.

A file is uploaded when the remote object is missing, has another size, or another MD5
(our `md5` metadata, else a plain-MD5 ETag); an object with the right content but other
headers gets a metadata copy; objects no longer in the output are deleted last. The plan
refuses outputs and deletions that look like a broken build.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from sitekit import release_manifest
from sitekit.errors import SiteError
from sitekit.languages import DEFAULT_LANG, LANGUAGE_CODES
from sitekit.publish import storage
from sitekit.publish.headers import Headers, headers_for, redirect_headers
from sitekit.publish.settings import RESERVED, PublishSettings, SettingsError
from sitekit.release_manifest import FileEntry, Release, ReleaseError, home_page

UPLOAD = "upload"
HEADERS = "headers"
DELETE = "delete"

# Upload order. New pages link to new assets and feeds, home pages link to new pages:
# uploading in this order means a visitor never follows a link to a file not there yet.
PHASES = ("assets", "feeds and sitemap", "pages", "language home pages", "home page")
DELETIONS = "deletions"
HOME_PAGES = {f"{code}/index.html" for code in LANGUAGE_CODES if code != DEFAULT_LANG}
# A page whose end is not in its last bytes was cut short (a full disk, a killed copy).
HTML_END, HTML_TAIL = b"</html>", 4096


class RefusedError(SiteError):
    """Publishing this output would likely break the site; the message says why."""


@dataclass(frozen=True)
class Wanted:
    """An object the site should have: from a file in the output, or a redirect."""

    key: str
    size: int
    md5: str
    headers: Headers
    path: Path | None = None
    body: bytes | None = None
    known_type: bool = True
    sha256: str = ""


@dataclass(frozen=True)
class Action:
    """One step of the plan."""

    kind: str  # UPLOAD, HEADERS or DELETE
    key: str  # relative to the prefix
    reason: str
    size: int
    phase: str
    wanted: Wanted | None = None
    etag: str = ""  # the object a header copy applies to
    header_changes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """Return the action as a dict for --json."""
        return {
            "action": self.kind,
            "key": self.key,
            "phase": self.phase,
            "reason": self.reason,
            "size": self.size,
            "header_changes": list(self.header_changes),
        }


@dataclass
class Plan:
    """Everything a run will do, in order, and what it leaves alone."""

    settings: PublishSettings
    wanted: dict[str, Wanted]
    actions: list[Action]
    unchanged: int
    remote_count: int
    remote: dict[str, storage.RemoteObject] = field(default_factory=dict)
    heads: int = 0  # HEAD requests planning needed (0 when the manifest knew all)
    protected: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    release: Release | None = None  # what the manifest says the output is

    def of_kind(self, kind: str) -> list[Action]:
        """Return the actions of one kind, in plan order."""
        return [action for action in self.actions if action.kind == kind]

    def phase(self, name: str) -> list[Action]:
        """Return the uploads and header copies of one phase."""
        return [a for a in self.actions if a.phase == name and a.kind != DELETE]

    def totals(self) -> dict[str, int]:
        """Count actions and bytes, for the summary line and --json."""
        uploads = self.of_kind(UPLOAD)
        return {
            "uploads": len(uploads),
            "upload_bytes": sum(action.size for action in uploads),
            "header_updates": len(self.of_kind(HEADERS)),
            "deletes": len(self.of_kind(DELETE)),
            "unchanged": self.unchanged,
            "protected_skipped": len(self.protected),
            "remote_objects": self.remote_count,
        }

    def is_empty(self) -> bool:
        """Tell whether the store already matches the output."""
        return not self.actions


def phase_of(key: str, headers: Headers) -> str:
    """Return the upload phase of a key (see PHASES)."""
    if key == "index.html":
        return PHASES[4]
    if key in HOME_PAGES:
        return PHASES[3]
    if headers.content_type.startswith("text/html"):
        return PHASES[2]
    if headers.content_type.startswith(
        ("application/xml", "application/atom+xml", "application/rss+xml")
    ):
        return PHASES[1]
    return PHASES[0]


def is_protected(key: str, globs: tuple[str, ...]) -> bool:
    """Tell whether publishing must leave `key` alone ('dir/' means a folder)."""
    for glob in globs:
        pattern = glob.lstrip("/")
        if pattern.endswith("/"):
            pattern += "*"
        if fnmatchcase(key, pattern):
            return True
    return False


def _digests_of(path: Path) -> tuple[int, str, str]:
    """Size, MD5 (for the store) and SHA-256 (for the manifest), in one read."""
    md5, sha256, size = hashlib.md5(), hashlib.sha256(), 0
    with path.open("rb") as stream:
        while block := stream.read(1 << 20):
            md5.update(block)
            sha256.update(block)
            size += len(block)
    return size, md5.hexdigest(), sha256.hexdigest()


def md5_of(path: Path) -> str:
    """The MD5 of a file as it is now."""
    return _digests_of(path)[1]


def scan_output(output: Path) -> dict[str, Wanted]:
    """Every file of the built site with its digests and headers, keyed by key.

    Raises RefusedError on a symlink or a name that is not valid UTF-8.
    """
    wanted: dict[str, Wanted] = {}
    try:
        files = list(release_manifest.walk_files(output.resolve()))
    except ReleaseError as error:
        raise RefusedError(str(error)) from error
    for key, path in files:
        sample = None
        if "." not in path.name.lstrip("."):
            with path.open("rb") as stream:
                sample = stream.read(512)
        headers, known = headers_for(key, sample)
        size, md5, sha256 = _digests_of(path)
        wanted[key] = Wanted(
            key, size, md5, headers, path, known_type=known, sha256=sha256
        )
    return wanted


def redirect_body(target: str) -> bytes:
    """Return a page that sends browsers on where the store cannot redirect."""
    url = html.escape(target, quote=True)
    return (
        '<!doctype html>\n<html><head><meta charset="utf-8">'
        f'<meta http-equiv="refresh" content="0; url={url}">'
        f'<link rel="canonical" href="{url}"><title>{url}</title></head>'
        f'<body><a href="{url}">{url}</a></body></html>\n'
    ).encode()


def redirect_objects(redirects: dict[str, str] | Any) -> dict[str, Wanted]:
    """Return the redirect objects: a meta-refresh page with S3's redirect header.

    S3 website endpoints answer 301; every other store still sends people on.
    """
    wanted = {}
    for key, target in redirects.items():
        body = redirect_body(target)
        wanted[key] = Wanted(
            key,
            len(body),
            hashlib.md5(body).hexdigest(),
            redirect_headers(target),
            body=body,
        )
    return wanted


def check_output(
    output: Path, wanted: dict[str, Wanted], settings: PublishSettings
) -> Release:
    """Refuse anything but a whole, unaltered production release; return it."""
    if not output.is_dir():
        raise RefusedError(
            f"{output} does not exist: build the site first (invoke build-production)."
        )
    try:
        release = release_manifest.read(output)
    except ReleaseError as error:
        raise RefusedError(str(error)) from error
    if release.kind != release_manifest.PRODUCTION:
        raise RefusedError(
            f"{output} is a {release.kind} build (SITEURL {release.siteurl!r}): its "
            "links only work on this machine. Build the release to publish with "
            "`SITEURL=https://… invoke build-production`, then publish again."
        )
    found = {key: FileEntry(item.size, item.sha256) for key, item in wanted.items()}
    changed = release_manifest.differences(release, found)
    if changed:
        shown = "; ".join(changed[:10]) + ("; …" if len(changed) > 10 else "")
        raise RefusedError(
            f"{output} is not the release its manifest describes ({len(changed)} "
            f"file(s): {shown}). Something changed it after the build: build again "
            "with `invoke build-production`, then publish."
        )
    reserved = sorted(key for key in wanted if key.split("/")[0] == RESERVED)
    if reserved:
        raise RefusedError(
            f"{output} has {reserved[0]}: {RESERVED}/ is publishing's own folder in "
            "the bucket. Rename that file or folder in the site."
        )
    if "index.html" not in wanted:
        raise RefusedError(
            f"{output} has no index.html ({len(wanted)} file(s)): this is not a built "
            "site. Build it with `invoke build-production` and publish again."
        )
    if len(wanted) < settings.min_files:
        raise RefusedError(
            f"{output} has only {len(wanted)} file(s), fewer than PUBLISH['min_files'] "
            f"= {settings.min_files}: the build looks broken. Check it, or lower "
            "min_files in publishconf.py if the site really is this small."
        )
    homes = [home_page(code) for code in release.languages]
    missing = [key for key in homes if key not in wanted]
    if missing or not release.languages:
        raise RefusedError(
            f"{output} lacks the home page {', '.join(missing) or 'of every language'}"
            ": the build is incomplete. Build again and publish."
        )
    broken = [key for key, item in sorted(wanted.items()) if _cut_short(item)]
    if broken:
        raise RefusedError(
            f"{output} has {len(broken)} HTML page(s) that are empty or do not end "
            f"with </html> ({', '.join(broken[:5])}): they were cut short. Build "
            "again and publish."
        )
    return release


def _cut_short(item: Wanted) -> bool:
    if item.path is None or not item.key.endswith((".html", ".htm")):
        return False
    if item.size == 0:
        return True
    with item.path.open("rb") as stream:
        stream.seek(max(0, item.size - HTML_TAIL))
        return HTML_END not in stream.read().lower()


def check_languages(
    remote: dict[str, storage.RemoteObject], wanted: dict[str, Wanted]
) -> None:
    """Refuse a release that would take a language off the site."""
    live = [code for code in LANGUAGE_CODES if home_page(code) in remote]
    gone = [code for code in live if home_page(code) not in wanted]
    if gone:
        raise RefusedError(
            f"the release has no {', '.join(gone)} home page, but the language is "
            "live in the bucket: publishing would take it off the site. Build the "
            "whole site again; to retire a language on purpose, delete its folder "
            "in the bucket by hand first."
        )


def folder_of(key: str) -> str:
    """The group a key's deletions are limited in: its top-level folder, or '/'."""
    return key.split("/", 1)[0] + "/" if "/" in key else "/"


def check_deletes(
    gone: list[str],
    remote: list[str] | dict,
    settings: PublishSettings,
    allow: int | None,
) -> None:
    """Refuse more deletions than the limits allow, unless `allow` covers them.

    The limits hold in total and in each top-level folder (each language's folder,
    theme/, the root's files): a whole language cannot go in a large site's share.
    A folder losing a single object is not limited by the share.
    """
    deletes, remote_count = len(gone), len(remote)
    if not deletes:
        return
    share = deletes / remote_count if remote_count else 1.0
    if allow is not None:
        if deletes <= allow:
            return
        raise RefusedError(
            f"the plan deletes {deletes} objects, more than --allow-deletes {allow}. "
            "Review them with --dry-run, then pass the number you expect."
        )
    advice = (
        f"If pages were really removed, review the list with `invoke publish "
        f"--dry-run`, then run `invoke publish --allow-deletes {deletes}`."
    )
    if deletes > settings.max_deletes or share > settings.max_delete_share:
        raise RefusedError(
            f"the plan deletes {deletes} of {remote_count} published objects "
            f"({share:.0%}); the limit is {settings.max_deletes} objects and "
            f"{settings.max_delete_share:.0%}. {advice}"
        )
    for folder in sorted({folder_of(key) for key in gone}):
        lost = sum(1 for key in gone if folder_of(key) == folder)
        had = sum(1 for key in remote if folder_of(key) == folder)
        part = lost / had if had else 1.0
        if lost > 1 and part > settings.max_delete_share:
            raise RefusedError(
                f"the plan deletes {lost} of {had} published objects in {folder} "
                f"({part:.0%}); the limit is {settings.max_delete_share:.0%} in each "
                f"top-level folder as in total. {advice}"
            )


def make_plan(
    settings: PublishSettings,
    output: Path,
    client: Any,
    *,
    allow_deletes: int | None = None,
    local: dict[str, Wanted] | None = None,
    on_head: Callable[[], None] | None = None,
) -> Plan:
    """Compare the output with the store and return the plan (nothing is written).

    `local` is the output's scan when the caller already made it.
    """
    if local is None:
        local = scan_output(output) if output.is_dir() else {}
    release = check_output(output, local, settings)  # a whole production release
    protected = sorted(key for key in local if is_protected(key, settings.protected))
    wanted = {k: v for k, v in local.items() if k not in set(protected)}
    redirects = redirect_objects(settings.redirects)
    clash = sorted(set(redirects) & set(local))
    if clash:
        raise SettingsError(
            f"redirect source(s) {', '.join(clash)} are also files of the output; "
            "remove them from PUBLISH['redirects'] or from the site"
        )
    wanted.update(redirects)
    warnings = [
        f"{key}: extension not in our table, published as application/octet-stream; "
        "add it to CONTENT_TYPES in sitekit/publish/headers.py"
        for key, item in sorted(wanted.items())
        if not item.known_type
    ]

    remote = {
        key: item
        for key, item in storage.list_objects(client, settings).items()
        if not is_protected(key, settings.protected)
    }
    check_languages(remote, wanted)
    actions: list[Action] = []
    to_head: list[str] = []
    for key in sorted(wanted):
        item, there = wanted[key], remote.get(key)
        phase = phase_of(key, item.headers)
        if there is None:
            actions.append(Action(UPLOAD, key, "new", item.size, phase, item))
        elif there.size != item.size:
            reason = f"size {there.size} → {item.size}"
            actions.append(Action(UPLOAD, key, reason, item.size, phase, item))
        else:
            to_head.append(key)  # same size: ask for its MD5 and headers

    manifest = storage.read_manifest(client, settings) if to_head else {}
    heads: dict[str, storage.RemoteHead] = {}
    for key in to_head:
        known = storage.known_head(manifest.get(key, {}), remote[key])
        if known is not None:
            heads[key] = known
    missing = [key for key in to_head if key not in heads]

    def head(key: str) -> storage.RemoteHead:
        answer = storage.head(client, settings, key)
        if on_head:
            on_head()
        return answer

    with ThreadPoolExecutor(max_workers=settings.workers) as pool:
        heads.update(zip(missing, pool.map(head, missing), strict=True))
    unchanged = 0
    for key in to_head:
        item, there = wanted[key], heads[key]
        phase = phase_of(key, item.headers)
        if there.md5 is None:
            reason = "remote MD5 unknown (multipart ETag, no md5 metadata)"
            actions.append(Action(UPLOAD, key, reason, item.size, phase, item))
        elif there.md5 != item.md5:
            actions.append(
                Action(UPLOAD, key, "content changed", item.size, phase, item)
            )
        elif changes := item.headers.differences(there.headers):
            actions.append(
                Action(
                    HEADERS,
                    key,
                    "headers changed",
                    0,
                    phase,
                    item,
                    etag=there.etag,
                    header_changes=tuple(changes),
                )
            )
        else:
            unchanged += 1

    order = {name: index for index, name in enumerate(PHASES)}
    actions.sort(key=lambda action: (order[action.phase], action.key))
    gone = sorted(set(remote) - set(wanted))
    check_deletes(gone, list(remote), settings, allow_deletes)
    actions.extend(
        Action(DELETE, key, "not in the output", remote[key].size, DELETIONS)
        for key in gone
    )
    return Plan(
        settings,
        wanted,
        actions,
        unchanged,
        len(remote),
        remote,
        len(missing),
        protected,
        warnings,
        release,
    )

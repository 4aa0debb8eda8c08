"""Content-Type and Cache-Control for every published file, from our own table.

Python's `mimetypes` depends on the host's /etc/mime.types and lacks woff2, webp, atom
and webmanifest without it (DESIGN.md), so a CI runner and a laptop would publish
different headers. This table is the only source.

Cache policy, and why:
- pages, feeds, the sitemap and anything else without a version in its URL are
  revalidated on every visit (unchanged: a 304; changed: shown at once);
- `theme/css/` and `theme/js/` are linked as `…/site.css?v=<hash>`: a new version gets
  a new URL, so a year is safe; but the object behind a URL does change, so these
  are not `immutable`;
- only files whose *name* carries a content hash (Pagefind's index chunks) are
  `immutable`;
- other static files (images, fonts, PDFs) are linked without a version: a day.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase

REVALIDATE = "public, max-age=0, must-revalidate"
VERSIONED_BY_QUERY = "public, max-age=31536000"
IMMUTABLE = "public, max-age=31536000, immutable"
ONE_DAY = "public, max-age=86400"

_UTF8 = "; charset=utf-8"

# Longest suffix first wins, so ".atom.xml" is matched before ".xml".
CONTENT_TYPES: dict[str, str] = {
    ".html": "text/html" + _UTF8,
    ".htm": "text/html" + _UTF8,
    ".css": "text/css" + _UTF8,
    ".js": "text/javascript" + _UTF8,  # RFC 9239
    ".mjs": "text/javascript" + _UTF8,
    ".txt": "text/plain" + _UTF8,
    ".md": "text/markdown" + _UTF8,
    ".csv": "text/csv" + _UTF8,
    ".atom.xml": "application/atom+xml" + _UTF8,
    ".rss.xml": "application/rss+xml" + _UTF8,
    ".atom": "application/atom+xml" + _UTF8,
    ".rss": "application/rss+xml" + _UTF8,
    ".xml": "application/xml" + _UTF8,  # RFC 7303 defines charset for XML
    ".xsl": "application/xslt+xml" + _UTF8,
    # JSON has no charset parameter (RFC 8259: it is always UTF-8).
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/vnd.microsoft.icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".pdf": "application/pdf",
    ".wasm": "application/wasm",
    ".zip": "application/zip",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".mp3": "audio/mpeg",
    # Pagefind's index: gzip data that pagefind.js unpacks itself, so no
    # Content-Encoding (the browser must not unpack it first).
    ".pf_meta": "application/octet-stream",
    ".pf_index": "application/octet-stream",
    ".pf_fragment": "application/octet-stream",
    ".pf_filter": "application/octet-stream",
    ".pagefind": "application/octet-stream",
}
_SUFFIXES = sorted(CONTENT_TYPES, key=len, reverse=True)

# Key globs (relative to the prefix) → Cache-Control; the first match wins.
CACHE_RULES: tuple[tuple[str, str], ...] = (
    ("*.pf_meta", IMMUTABLE),  # pagefind.<lang>_<hash>.pf_meta
    ("*.pf_index", IMMUTABLE),
    ("*.pf_fragment", IMMUTABLE),
    ("*.pf_filter", IMMUTABLE),
    ("pagefind/*", REVALIDATE),  # pagefind.js, pagefind-entry.json, wasm: no hash
    ("theme/css/*", VERSIONED_BY_QUERY),
    ("theme/js/*", VERSIONED_BY_QUERY),
)
# Types whose files name other files or change with every build: always revalidate.
_REVALIDATED_TYPES = ("text/", "application/")
_LONG_LIVED_APPLICATION = ("application/pdf", "application/wasm", "application/zip")


@dataclass(frozen=True)
class Headers:
    """The headers one object should have. `redirect` is S3's website redirect."""

    content_type: str
    cache_control: str
    content_encoding: str | None = None
    redirect: str | None = None

    def differences(self, remote: Headers) -> list[str]:
        """Human-readable 'field: remote → wanted' for each header that differs."""
        changes = []
        for name in ("content_type", "cache_control", "content_encoding", "redirect"):
            wanted, have = getattr(self, name), getattr(remote, name)
            if _normal(wanted) != _normal(have):
                label = name.replace("_", "-")
                changes.append(f"{label}: {have!r} → {wanted!r}")
        return changes


def _normal(value: str | None) -> str:
    # Some stores re-case or re-space parameters ("charset=UTF-8"); that is no change.
    return "".join((value or "").lower().split())


def content_type(key: str, sample: bytes | None = None) -> tuple[str, bool]:
    """Return the Content-Type for `key`, and whether our table knows its extension.

    A file without an extension is plain UTF-8 text when `sample` (its first bytes)
    decodes as such, otherwise opaque bytes.
    """
    name = key.rsplit("/", 1)[-1].lower()
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return CONTENT_TYPES[suffix], True
    if "." not in name.lstrip("."):
        if sample is not None and b"\0" not in sample:
            try:
                sample.decode("utf-8")
            except UnicodeDecodeError as error:
                # A sample may cut a character in two at its end; that is still text.
                if error.start < len(sample) - 3:
                    return "application/octet-stream", True
            return "text/plain" + _UTF8, True
        return "application/octet-stream", True
    return "application/octet-stream", False


def cache_control(key: str, type_: str) -> str:
    """Return the Cache-Control for `key` of Content-Type `type_` (see above)."""
    for pattern, policy in CACHE_RULES:
        if fnmatchcase(key, pattern):
            return policy
    if type_.startswith(_LONG_LIVED_APPLICATION):
        return ONE_DAY
    if type_.startswith(_REVALIDATED_TYPES):
        return REVALIDATE
    return ONE_DAY  # images, fonts, media: linked without a version


def headers_for(key: str, sample: bytes | None = None) -> tuple[Headers, bool]:
    """Headers for the file published at `key`, and whether its type is known."""
    type_, known = content_type(key, sample)
    return Headers(type_, cache_control(key, type_)), known


def redirect_headers(target: str) -> Headers:
    """Return the headers of a redirect object.

    It is a small HTML page that S3 website endpoints answer with a 301 to `target`.
    """
    return Headers("text/html" + _UTF8, REVALIDATE, redirect=target)

"""Pelican plugin: compile each Jinja template once, for every language and build.

Every generator of every language subsite has its own Jinja environment, so a build of
four languages compiled each template about twenty times; for the real site that was
most of a rebuild. Jinja's bytecode cache keeps compiled templates, keyed by template
file and a checksum of its source. Ours adds a memory layer that all environments of
a build share, and keeps the files in one folder below the main site's CACHE_PATH
(pelican-i18n-subsites gives each language its own), named after the environment's
options and Jinja's version, since the checksum covers only the template's text.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
from importlib.metadata import version
from pathlib import Path

from jinja2 import FileSystemBytecodeCache
from jinja2.bccache import Bucket
from pelican import signals

from sitekit.fast import contract
from sitekit.languages import DEFAULT_LANG

LOG = logging.getLogger(__name__)
CACHE_LOG = logging.getLogger("sitekit.cache")  # never fatal: see builder.runner
LOG_PREFIX = "[sitekit.fast.template_cache]"
CHECKSUM_SIZE = 32  # a SHA-256 of the compiled code heads each file
# This build's caches by options key. The main site's generators ask first, so its
# CACHE_PATH holds the files of every language.
_CACHES: dict[str, SharedBytecodeCache] = {}


class SharedBytecodeCache(FileSystemBytecodeCache):
    """Jinja's file cache with a memory layer and a checksum per file.

    A damaged file is a miss (with a warning), never wrong code.
    """

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        super().__init__(str(directory), "%s.checked.cache")
        self.memory: dict[tuple[str, str], object] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        """Fill `bucket` from memory, else from disk."""
        code = self.memory.get((bucket.key, bucket.checksum))
        if code is not None:
            bucket.code = code
            return
        try:
            data = Path(self._get_cache_filename(bucket)).read_bytes()
        except FileNotFoundError:
            return
        except OSError as error:
            CACHE_LOG.warning("%s cannot read %s; compiling", LOG_PREFIX, error)
            return
        # Compiled code that loads is run: one flipped bit made every build fail
        # with a TypeError blamed on a template line. Only checked bytes are loaded.
        stored, payload = data[:CHECKSUM_SIZE], data[CHECKSUM_SIZE:]
        if hashlib.sha256(payload).digest() != stored:
            CACHE_LOG.warning(
                "%s a cached template did not match its checksum; compiling it again",
                LOG_PREFIX,
            )
            return
        try:
            bucket.bytecode_from_string(payload)
        except Exception as error:  # checked, yet unreadable: another Python
            CACHE_LOG.warning(
                "%s a cached template could not be read (%s); compiling it again",
                LOG_PREFIX,
                error or type(error).__name__,
            )
            bucket.reset()
        if bucket.code is not None:
            self.memory[(bucket.key, bucket.checksum)] = bucket.code

    def dump_bytecode(self, bucket: Bucket) -> None:
        """Keep a freshly compiled template in memory and, with a checksum, on disk."""
        self.memory[(bucket.key, bucket.checksum)] = bucket.code
        payload = bucket.bytecode_to_string()
        target = Path(self._get_cache_filename(bucket))
        handle, temporary = tempfile.mkstemp(
            prefix=f".{target.name}-", dir=target.parent
        )
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(hashlib.sha256(payload).digest() + payload)
            Path(temporary).replace(target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def options_key(settings: dict) -> str:
    """Compiled code depends on the environment's options and on Jinja's version."""
    options = re.sub(r" at 0x[0-9a-f]+", "", repr(settings["JINJA_ENVIRONMENT"]))
    return hashlib.sha256(f"jinja={version('jinja2')}\n{options}".encode()).hexdigest()


def cache_folder(settings: dict) -> Path:
    """The folder of compiled templates for these settings' options."""
    return Path(settings["CACHE_PATH"]) / "templates" / options_key(settings)[:16]


def use_shared_cache(generator) -> None:
    """Give every generator's Jinja environment the build's shared cache."""
    key = options_key(generator.settings)
    if key not in _CACHES:
        _CACHES[key] = SharedBytecodeCache(cache_folder(generator.settings))
    generator.env.bytecode_cache = _CACHES[key]


def start_build(pelican) -> None:
    """A new build (the main site starts first): its caches go in its CACHE_PATH."""
    if pelican.settings["DEFAULT_LANG"] == DEFAULT_LANG:
        _CACHES.clear()


def register() -> None:
    """Connect the plugin to Pelican's signals (none: stock path, see contract)."""
    if not contract.holds():
        return
    signals.initialized.connect(start_build)
    signals.generator_init.connect(use_shared_cache)

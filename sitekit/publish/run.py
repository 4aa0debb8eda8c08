"""Carry out a plan phase by phase, delete only after every upload succeeded, verify.

Only a whole production release is published (sitekit.release_manifest): publishing
holds the build lock of the output, so no build switches or prunes it meanwhile, and a
lock object in the bucket, so no other publish writes to the same prefix at once.

Exit codes: 0 published (or nothing to do), 1 failed (uploads, deletions,
verification, or stopped by Ctrl-C or SIGTERM between requests), 2 refused before
writing anything (settings, the release, safety limits, access, another publish).
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import signal
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from threading import Lock
from typing import Any, TextIO

from botocore.exceptions import BotoCoreError, ClientError

from sitekit.errors import SiteError
from sitekit.publish import cdn, storage
from sitekit.publish.plan import (
    DELETE,
    DELETIONS,
    HEADERS,
    PHASES,
    Action,
    Plan,
    RefusedError,
    check_output,
    is_protected,
    make_plan,
    md5_of,
    scan_output,
)
from sitekit.publish.settings import PublishSettings, SettingsError, load
from sitekit.release_manifest import Release, build_lock_path

OK, FAILED, REFUSED = 0, 1, 2
ROOT = Path(__file__).resolve().parents[2]
# A phase's failed operations get one more pass after this pause (on top of botocore's
# own retries), so a store that was unavailable for a few seconds does not end the run.
SECOND_PASS_PAUSE = 3.0
# Set by Ctrl-C or SIGTERM: every worker checks it before its next request.
STOP = threading.Event()


class Interrupted(SiteError):
    """A request was not started because the run was asked to stop."""


@dataclass
class Outcome:
    """What a run did."""

    status: str = "ok"  # ok, dry-run, failed, interrupted, refused
    done: int = 0
    failed: list[str] = field(default_factory=list)
    stopped_before: str = ""
    verify_problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    message: str = ""
    cdn: str = ""  # what the CDN invalidation did


class Progress:
    """A one-line progress display on a terminal, a few plain lines in CI logs."""

    def __init__(self, stream: TextIO, quiet: bool = False) -> None:
        self.stream = stream
        self.quiet = quiet
        self.live = stream.isatty()
        self.lock = Lock()
        self.name, self.total, self.count, self.next_note = "", 0, 0, 0

    def start(self, name: str, total: int) -> None:
        """Begin a phase of `total` operations."""
        with self.lock:
            self.name, self.total, self.count = name, total, 0
            self.next_note = max(1, total // 4)
        self._show(force=not self.live)

    def step(self, count: int = 1) -> None:
        """Count finished operations."""
        with self.lock:
            self.count += count
        self._show()

    def end(self) -> None:
        """Close the phase's line."""
        if self.live and not self.quiet:
            self.stream.write("\n")
            self.stream.flush()

    def _show(self, force: bool = False) -> None:
        if self.quiet:
            return
        with self.lock:
            line = f"  {self.name}: {self.count}/{self.total}"
            if self.live:
                self.stream.write("\r" + line)
            elif force or self.count >= self.next_note or self.count == self.total:
                self.stream.write(line + "\n")
                self.next_note = self.count + max(1, self.total // 4)
            self.stream.flush()


def _run_one(
    client: Any, settings: PublishSettings, action: Action, multipart_threshold: int
) -> None:
    wanted = action.wanted
    assert wanted is not None
    if STOP.is_set():
        raise Interrupted
    if action.kind == HEADERS:
        storage.replace_headers(
            client, settings, action.key, wanted.md5, action.etag, wanted.headers
        )
    else:
        storage.upload(
            client,
            settings,
            action.key,
            wanted.md5,
            wanted.headers,
            path=wanted.path,
            body=wanted.body,
            size=wanted.size,
            multipart_threshold=multipart_threshold,
        )


def run_phase(
    client: Any,
    settings: PublishSettings,
    actions: list[Action],
    progress: Progress,
    multipart_threshold: int = storage.MULTIPART_THRESHOLD,
) -> dict[str, BaseException]:
    """Run a phase's operations in parallel; return the failures by key.

    A fatal error (credentials, permissions, missing bucket) stops the phase at once
    and is raised as StorageError: no retry could fix it.
    """
    failures: dict[str, BaseException] = {}
    with ThreadPoolExecutor(max_workers=settings.workers) as pool:
        futures = {
            pool.submit(_run_one, client, settings, action, multipart_threshold): action
            for action in actions
        }
        pending = set(futures)
        while pending:
            finished, pending = wait(pending, return_when=FIRST_EXCEPTION)
            for future in finished:
                if future.cancelled():
                    continue
                error = future.exception()
                if error is None:
                    progress.step()
                    continue
                if isinstance(error, Interrupted):
                    for other in pending:
                        other.cancel()
                    raise error
                if storage.is_fatal(error):
                    for other in pending:
                        other.cancel()
                    raise storage.StorageError(
                        storage.explain(error, settings)
                    ) from error
                failures[futures[future].key] = error
    return failures


def execute(
    plan: Plan,
    client: Any,
    progress: Progress,
    *,
    multipart_threshold: int = storage.MULTIPART_THRESHOLD,
    second_pass_pause: float = SECOND_PASS_PAUSE,
) -> Outcome:
    """Upload phase by phase; delete only if every upload and header copy succeeded."""
    settings = plan.settings
    outcome = Outcome()
    for name in PHASES:
        actions = plan.phase(name)
        if not actions:
            continue
        progress.start(name, len(actions))
        failures = run_phase(client, settings, actions, progress, multipart_threshold)
        if failures:
            time.sleep(second_pass_pause)
            again = [action for action in actions if action.key in failures]
            failures = run_phase(client, settings, again, progress, multipart_threshold)
        progress.end()
        outcome.done += len(actions) - len(failures)
        if failures:
            outcome.status = "failed"
            outcome.failed = [
                f"{key}: {storage.explain(error, settings)}"
                for key, error in sorted(failures.items())
            ]
            later = PHASES[PHASES.index(name) + 1 :]
            outcome.stopped_before = ", ".join([*later, DELETIONS])
            return outcome
    deletes = [action.key for action in plan.of_kind(DELETE)]
    if deletes and STOP.is_set():
        raise Interrupted
    if deletes:
        progress.start(DELETIONS, len(deletes))
        problems = storage.delete(client, settings, deletes, done=progress.step)
        progress.end()
        outcome.done += len(deletes) - len(problems)
        if problems:
            outcome.status = "failed"
            outcome.failed = problems
    return outcome


def verify(
    plan: Plan, client: Any
) -> tuple[list[str], dict[str, storage.RemoteObject]]:
    """List the store again and compare it with the local files, not with ourselves.

    A single-part object's ETag is the MD5 the store computed of what it holds: it
    must equal the local file's. Multipart objects (ETag `…-N`) are asked for the MD5
    we stored. Objects written in this run must have the headers the plan wanted, no
    stray key may be left, and every local file is read again, so a file changed
    during the run is found. Returns every mismatch found, and the listing.
    """
    settings = plan.settings
    problems: list[str] = []
    remote = {
        key: item
        for key, item in storage.list_objects(client, settings).items()
        if not is_protected(key, settings.protected)
    }
    written = {action.key for action in plan.actions if action.kind != DELETE}
    to_head: list[str] = []
    for key, wanted in sorted(plan.wanted.items()):
        there = remote.get(key)
        if there is None:
            problems.append(f"{key}: missing")
        elif there.size != wanted.size:
            problems.append(f"{key}: size {there.size}, expected {wanted.size}")
        elif storage.is_md5(there.etag) and there.etag != wanted.md5:
            problems.append(
                f"{key}: the store holds other bytes (ETag {there.etag}, local MD5 "
                f"{wanted.md5})"
            )
        elif key in written or not storage.is_md5(there.etag):
            to_head.append(key)  # its headers, or the MD5 of a multipart upload
    with ThreadPoolExecutor(max_workers=settings.workers) as pool:
        heads = dict(
            zip(
                to_head,
                pool.map(lambda key: storage.head(client, settings, key), to_head),
                strict=True,
            )
        )
    for key in to_head:
        wanted, there = plan.wanted[key], heads[key]
        if there.md5 != wanted.md5:
            problems.append(f"{key}: MD5 {there.md5}, expected {wanted.md5}")
        if key in written:
            problems.extend(
                f"{key}: {change}"
                for change in wanted.headers.differences(there.headers)
            )
    problems.extend(
        f"{key}: stray object" for key in sorted(set(remote) - set(plan.wanted))
    )
    for key, wanted in sorted(plan.wanted.items()):
        if wanted.path is not None and (
            not wanted.path.is_file() or md5_of(wanted.path) != wanted.md5
        ):
            problems.append(
                f"{key}: the local file changed during the publish; build again and "
                "publish the new release"
            )
    return problems, remote


def record(plan: Plan, client: Any, listed: dict[str, storage.RemoteObject]) -> None:
    """Write the manifest: every wanted key now has the plan's MD5 and headers."""
    published = {key: (item.md5, item.headers) for key, item in plan.wanted.items()}
    storage.write_manifest(client, plan.settings, listed, published)


def _size(count: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if count < 1024 or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    return ""


def describe_release(release: Release) -> str:
    """One line naming the release: kind, address, commit, pages per language."""
    pages = ", ".join(f"{code} {count}" for code, count in release.languages.items())
    commit = release.commit[:12] or "unknown commit"
    return (
        f"{release.kind} build of {release.siteurl} at {commit}; "
        f"{len(release.files)} files; pages: {pages}"
    )


def print_plan(plan: Plan, stream: TextIO) -> None:
    """Print the plan: action, key, reason, size, header changes; then totals."""
    settings = plan.settings
    print(f"Plan for {settings.describe()}:", file=stream)
    if plan.release is not None:
        print(f"  release: {describe_release(plan.release)}", file=stream)
    for action in plan.actions:
        size = _size(action.size) if action.kind != HEADERS else ""
        print(
            f"  {action.kind:<8} {action.key:<48} {action.reason:<28} {size:>9}",
            file=stream,
        )
        for change in action.header_changes:
            print(f"  {'':<8} {'':<48} {change}", file=stream)
    for key in plan.protected:
        print(f"  {'skip':<8} {key:<48} protected: never published", file=stream)
    for warning in plan.warnings:
        print(f"  warning: {warning}", file=stream)
    totals = plan.totals()
    print(
        f"Totals: {totals['uploads']} upload(s) ({_size(totals['upload_bytes'])}), "
        f"{totals['header_updates']} header update(s), {totals['deletes']} "
        f"deletion(s), {totals['unchanged']} unchanged, "
        f"{totals['protected_skipped']} protected skipped.",
        file=stream,
    )


@contextlib.contextmanager
def _stop_on_signals() -> Iterator[None]:
    """Ctrl-C and SIGTERM set STOP: running requests finish, no new one starts."""
    STOP.clear()
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    names = {signal.SIGINT: "Ctrl-C", signal.SIGTERM: "SIGTERM"}
    previous = {number: signal.getsignal(number) for number in names}

    def stop(number: int, _frame: Any) -> None:
        STOP.set()
        STOP.reason = names.get(number, "a signal")  # type: ignore[attr-defined]

    for number in names:
        signal.signal(number, stop)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


@contextlib.contextmanager
def _build_lock(output: Path) -> Iterator[None]:
    """Hold the output's build lock: no build switches or prunes the release."""
    path = build_lock_path(output)
    if not path.is_file():
        # No build ever ran here (a build makes this file): nothing to wait for,
        # and a refused publish must leave nothing behind.
        yield
        return
    with path.open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RefusedError(
                f"a build of {output} is running: wait for it to finish, then "
                "publish again."
            ) from None
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _interrupted(outcome: Outcome) -> Outcome:
    reason = getattr(STOP, "reason", "a signal")
    outcome.status = "interrupted"
    outcome.message = (
        f"Publishing stopped by {reason} between requests; nothing was deleted. "
        "Run the same command again to finish the job."
    )
    return outcome


def publish(
    settings: PublishSettings,
    output: Path,
    *,
    dry_run: bool = False,
    allow_deletes: int | None = None,
    as_json: bool = False,
    wait_for_cdn: bool = False,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    client: Any = None,
    cdn_client: Any = None,
    multipart_threshold: int = storage.MULTIPART_THRESHOLD,
    second_pass_pause: float = SECOND_PASS_PAUSE,
) -> int:
    """Check the release, plan, print, execute and verify; return the exit code."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    started = time.perf_counter()
    outcome = Outcome()
    plan: Plan | None = None
    with contextlib.ExitStack() as held, _stop_on_signals():
        try:
            held.enter_context(_build_lock(output))
            # Local checks first: a broken build is refused without any request.
            local = scan_output(output) if output.is_dir() else {}
            check_output(output, local, settings)
            storage.check_access(settings)
            client = client or storage.make_client(settings)
            if not dry_run:
                storage.take_lock(client, settings)
                held.callback(storage.release_lock, client, settings)
            plan = make_plan(
                settings, output, client, allow_deletes=allow_deletes, local=local
            )
        except (RefusedError, SettingsError, storage.StorageError) as error:
            outcome.status, outcome.message = "refused", str(error)
        except (BotoCoreError, ClientError) as error:
            outcome.status = "refused"
            outcome.message = storage.explain(error, settings)
        if plan is not None:
            outcome = _carry_out(
                plan,
                client,
                dry_run=dry_run,
                as_json=as_json,
                wait_for_cdn=wait_for_cdn,
                stdout=stdout,
                stderr=stderr,
                cdn_client=cdn_client,
                multipart_threshold=multipart_threshold,
                second_pass_pause=second_pass_pause,
            )
    outcome.seconds = time.perf_counter() - started
    _report(plan, outcome, settings, as_json, stdout, stderr)
    return {"ok": OK, "dry-run": OK, "refused": REFUSED}.get(outcome.status, FAILED)


def _carry_out(
    plan: Plan,
    client: Any,
    *,
    dry_run: bool,
    as_json: bool,
    wait_for_cdn: bool,
    stdout: TextIO,
    stderr: TextIO,
    cdn_client: Any,
    multipart_threshold: int,
    second_pass_pause: float,
) -> Outcome:
    settings = plan.settings
    outcome = Outcome()
    if dry_run or not as_json:
        print_plan(plan, stderr if as_json else stdout)
    if dry_run:
        outcome.status = "dry-run"
        return outcome
    if STOP.is_set():
        return _interrupted(outcome)
    if plan.is_empty():
        outcome.message = "Nothing to do: the store already matches the release."
        if plan.heads:  # the manifest was missing or stale: renew it
            record(plan, client, plan.remote)
        return outcome
    try:
        outcome = execute(
            plan,
            client,
            Progress(stderr),
            multipart_threshold=multipart_threshold,
            second_pass_pause=second_pass_pause,
        )
    except Interrupted:
        return _interrupted(outcome)
    except storage.StorageError as error:
        outcome.status, outcome.message = "failed", str(error)
    except (BotoCoreError, ClientError) as error:
        outcome.status = "failed"
        outcome.message = storage.explain(error, settings)
    if outcome.status != "ok":
        return outcome
    outcome.verify_problems, listed = verify(plan, client)
    if outcome.verify_problems:
        outcome.status = "failed"
        return outcome
    record(plan, client, listed)
    if settings.cdn["distribution_id"]:
        changed = [action.key for action in plan.actions]
        try:
            outcome.cdn = cdn.invalidate(
                settings,
                changed,
                wait=wait_for_cdn or settings.cdn["wait"],
                client=cdn_client,
            )
        except (BotoCoreError, ClientError) as error:
            outcome.status = "failed"
            outcome.message = (
                "published and verified, but the CDN invalidation failed: "
                f"{storage.explain(error, settings)}. Visitors may see old copies "
                "until they expire; publish again (nothing to upload) or invalidate "
                "by hand."
            )
    return outcome


def _report(
    plan: Plan | None,
    outcome: Outcome,
    settings: PublishSettings,
    as_json: bool,
    stdout: TextIO,
    stderr: TextIO,
) -> None:
    if as_json:
        document = {
            "target": {
                "bucket": settings.bucket,
                "prefix": settings.prefix,
                "endpoint_url": settings.endpoint_url,
                "region": settings.region,
            },
            "release": {
                "kind": plan.release.kind,
                "siteurl": plan.release.siteurl,
                "commit": plan.release.commit,
                "languages": plan.release.languages,
                "files": len(plan.release.files),
            }
            if plan and plan.release
            else {},
            "status": outcome.status,
            "message": outcome.message,
            "totals": plan.totals() if plan else {},
            "actions": [action.as_dict() for action in plan.actions] if plan else [],
            "done": outcome.done,
            "failed": outcome.failed,
            "stopped_before": outcome.stopped_before,
            "verify_problems": outcome.verify_problems,
            "warnings": plan.warnings if plan else [],
            "cdn": outcome.cdn,
            "seconds": round(outcome.seconds, 3),
        }
        json.dump(document, stdout, indent=2, ensure_ascii=False)
        stdout.write("\n")
    if outcome.status == "refused":
        print(
            f"Publishing refused, nothing was written: {outcome.message}", file=stderr
        )
    elif outcome.status == "interrupted":
        print(outcome.message, file=stderr)
    elif outcome.status == "failed":
        print("Publishing FAILED.", file=stderr)
        if outcome.message:
            print(f"  {outcome.message}", file=stderr)
        for line in outcome.failed:
            print(f"  {line}", file=stderr)
        if outcome.stopped_before:
            print(
                f"  Not started: {outcome.stopped_before}; nothing was deleted. "
                "Run the same command again to finish the job.",
                file=stderr,
            )
        for line in outcome.verify_problems:
            print(f"  verify: {line}", file=stderr)
    elif not as_json:
        if outcome.status == "dry-run":
            print("Dry run: nothing was written.", file=stdout)
        elif outcome.message:
            print(outcome.message, file=stdout)
        else:
            print(
                f"Published {outcome.done} change(s) to {settings.describe()} in "
                f"{outcome.seconds:.1f} s; verified.",
                file=stdout,
            )
        if outcome.cdn:
            print(outcome.cdn, file=stdout)


def main(argv: list[str] | None = None) -> int:
    """Command line: `python -m sitekit.publish [--dry-run] [--json] …`."""
    parser = argparse.ArgumentParser(
        prog="python -m sitekit.publish", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--output", type=Path, default=Path("output"))
    parser.add_argument(
        "--settings",
        type=Path,
        default=ROOT / "publishconf.py",
        help="the settings file holding the PUBLISH dict",
    )
    parser.add_argument("--dry-run", action="store_true", help="print the plan only")
    parser.add_argument("--json", action="store_true", help="machine-readable report")
    parser.add_argument(
        "--allow-deletes",
        type=int,
        metavar="N",
        help="allow up to N deletions beyond the PUBLISH limits",
    )
    parser.add_argument(
        "--wait-for-cdn",
        action="store_true",
        help="wait until the CDN invalidation has completed",
    )
    parser.add_argument("--bucket")
    parser.add_argument("--prefix")
    parser.add_argument("--endpoint-url")
    parser.add_argument("--region")
    args = parser.parse_args(argv)
    try:
        settings = load(
            args.settings,
            bucket=args.bucket,
            prefix=args.prefix,
            endpoint_url=args.endpoint_url,
            region=args.region,
        )
    except SettingsError as error:
        print(f"Publishing refused, nothing was written: {error}", file=sys.stderr)
        return REFUSED
    return publish(
        settings,
        args.output,
        dry_run=args.dry_run,
        allow_deletes=args.allow_deletes,
        as_json=args.json,
        wait_for_cdn=args.wait_for_cdn,
    )

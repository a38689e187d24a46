"""Read the assistance mailbox over IMAP (standard library imaplib): fetch without marking, hand each message to
`handle` (which imports and commits it), and only then mark it on the server.

A message is marked only after its import committed, so a worker that dies in between leaves it unmarked: the
next poll reads it again and the import, keyed by Message-ID, does nothing the second time. Marking is a move
to MAIL_IMAP_DONE_FOLDER when set, else the keyword $HelpdeskImported (plus \\Seen); a person reading the
mailbox in a mail client therefore never hides a message from the poller. Quarantined messages are moved to
MAIL_IMAP_QUARANTINE_FOLDER (kept on the server with their bytes)."""

from __future__ import annotations

import imaplib
import re
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field

IMPORTED_KEYWORD = "$HelpdeskImported"


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int
    security: str = "tls"  # tls | starttls | none
    username: str = ""
    password: str = ""
    folder: str = "INBOX"
    done_folder: str = ""
    quarantine_folder: str = "Quarantaine"
    batch: int = 50
    timeout: int = 30

    @classmethod
    def from_config(cls, config) -> ImapSettings | None:
        """None when the channel is off (no MAIL_IMAP_HOST)."""
        if not config.get("MAIL_IMAP_HOST"):
            return None
        return cls(
            host=config["MAIL_IMAP_HOST"],
            port=int(config["MAIL_IMAP_PORT"]),
            security=config.get("MAIL_IMAP_SECURITY", "tls"),
            username=config.get("MAIL_IMAP_USERNAME", ""),
            password=config.get("MAIL_IMAP_PASSWORD", ""),
            folder=config.get("MAIL_IMAP_FOLDER", "INBOX"),
            done_folder=config.get("MAIL_IMAP_DONE_FOLDER", ""),
            quarantine_folder=config.get("MAIL_IMAP_QUARANTINE_FOLDER", ""),
            batch=int(config.get("MAIL_IMAP_BATCH", 50)),
            timeout=int(config.get("MAIL_IMAP_TIMEOUT", 30)),
        )


@dataclass
class PollReport:
    fetched: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    left: int = 0  # messages beyond the batch, read by the next poll


class MailboxError(RuntimeError):
    pass


def connect(settings: ImapSettings) -> imaplib.IMAP4:
    if settings.security == "tls":
        client = imaplib.IMAP4_SSL(
            settings.host, settings.port, ssl_context=ssl.create_default_context(), timeout=settings.timeout
        )
    else:
        client = imaplib.IMAP4(settings.host, settings.port, timeout=settings.timeout)
        if settings.security == "starttls":
            client.starttls(ssl_context=ssl.create_default_context())
    client.login(settings.username, settings.password)
    return client


def _ok(answer, what: str):
    kind, data = answer
    if kind != "OK":
        raise MailboxError(f"{what}: {kind} {data!r}")
    return data


def _quote(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def poll(settings: ImapSettings, handle: Callable[[bytes], str]) -> PollReport:
    """Import up to `batch` unmarked messages of the folder, oldest first. `handle(raw)` returns the outcome (and
    has committed it); exceptions of `handle` propagate and leave the message unmarked."""
    report = PollReport()
    client = connect(settings)
    try:
        for folder in (settings.done_folder, settings.quarantine_folder):
            if folder:
                client.create(_quote(folder))  # NO when it exists already: nothing to do
        _ok(client.select(_quote(settings.folder)), "SELECT")
        if not settings.done_folder and not _keeps_keywords(client):
            raise MailboxError(
                "this IMAP server does not keep keywords on messages (PERMANENTFLAGS without \\*): "
                "set MAIL_IMAP_DONE_FOLDER so that imported mails are moved instead"
            )
        criteria = "ALL" if settings.done_folder else f"UNKEYWORD {IMPORTED_KEYWORD}"
        uids = (_ok(client.uid("SEARCH", None, criteria), "SEARCH")[0] or b"").split()
        report.left = max(0, len(uids) - settings.batch)
        for uid in uids[: settings.batch]:
            raw = _fetch(client, uid)
            if raw is None:
                continue
            outcome = handle(raw)
            report.fetched += 1
            report.outcomes[outcome] = report.outcomes.get(outcome, 0) + 1
            _mark(client, uid, settings, quarantined=outcome == "quarantined")
        if settings.done_folder or settings.quarantine_folder:
            client.expunge()
    finally:
        try:
            client.logout()
        except (imaplib.IMAP4.error, OSError):
            pass
    return report


def _keeps_keywords(client) -> bool:
    """Whether the selected folder accepts keywords of our own (RFC 3501 PERMANENTFLAGS with \\*)."""
    for line in client.untagged_responses.get("OK", []):
        if b"PERMANENTFLAGS" in line:
            return b"\\*" in line
    return False


def _fetch(client, uid: bytes) -> bytes | None:
    data = _ok(client.uid("FETCH", uid, "(BODY.PEEK[])"), "FETCH")
    for item in data:
        if isinstance(item, tuple) and re.search(rb"BODY\[\]", item[0]):
            return item[1]
    return None  # expunged meanwhile by someone else


def _mark(client, uid: bytes, settings: ImapSettings, *, quarantined: bool) -> None:
    target = settings.quarantine_folder if quarantined and settings.quarantine_folder else settings.done_folder
    if target:
        kind, _data = client.uid("MOVE", uid, _quote(target))
        if kind == "OK":
            return
        _ok(client.uid("COPY", uid, _quote(target)), "COPY")
        _ok(client.uid("STORE", uid, "+FLAGS", "(\\Deleted)"), "STORE")
        return
    _ok(client.uid("STORE", uid, "+FLAGS", f"({IMPORTED_KEYWORD} \\Seen)"), "STORE")

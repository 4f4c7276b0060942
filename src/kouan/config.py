"""Settings, read once from the environment (prefix KOUAN_)."""

from __future__ import annotations

import logging
import os
import secrets
from functools import cache
from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

# The key a demo's audit chain is made with when none is configured: beside the default
# database, outside it, made once per installation.
DEMO_AUDIT_KEY_FILE = Path("var/audit.key")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KOUAN_", extra="ignore")

    database_url: str = "sqlite:///var/kouan.db"
    # A random key per process when none is configured: sessions then end with the process,
    # which is right for a demo and forces production to set one.
    secret_key: str = secrets.token_urlsafe(32)
    token_minutes: int = 8 * 60
    filing_deadline_hours: float = 24.0
    # Logins: past login_max_failures recent failures of an account (login_client_max_failures
    # of a client) each attempt waits login_delay_seconds, doubled per further failure, at most
    # login_lock_minutes; failures are forgotten after login_failure_hours and at most
    # login_failure_rows counts are kept (see services/platform/login_throttle.py).
    login_max_failures: int = 5
    login_lock_minutes: int = 15
    login_delay_seconds: int = 60
    login_client_max_failures: int = 20
    login_failure_hours: int = 24
    login_failure_rows: int = 100_000
    # Proxies whose X-Forwarded-For and X-Forwarded-Proto are believed (comma-separated
    # addresses or networks): they name the client that logins are throttled by and whether
    # the browser spoke HTTPS.
    trusted_proxies: str = "127.0.0.1"
    max_body_bytes: int = 2_000_000
    port_area_file: Path | None = None  # GeoJSON polygon replacing the default port area
    default_lang: str = "zh"
    # Inspections a site can do a day unless customs sets that day's capacity, and how far ahead
    # a booking may go when every day is full.
    # Persons on passenger and crew lists are purged this many days after their list came,
    # except those referred; the passenger figures are kept (kouan passengers purge).
    person_retention_days: int = 183
    # The information co-check of a confirmed case: contacts seated within this many rows.
    contact_rows: int = 2
    # Recipients of a joint epidemic alert acknowledge it within this many minutes, or it is
    # escalated to the port office.
    case_ack_minutes: int = 30
    # Transit under customs seal: the time limit of a route not in kouan.domain.transit.ROUTES,
    # and within how many minutes customs acknowledges an overdue transit's alert.
    transit_default_hours: float = 48.0
    transit_ack_minutes: int = 60
    # Which site terminals (reference/site.json codes) each terminal operator reports for, by
    # username or organisation name ("qqct=QQCT,QQCTU;dagang=DGGEN,DGCRU"); an organisation not
    # named here reports for the terminals whose codes its name holds as a word ("... (QQCT)").
    terminal_operators: str = "qqct=QQCT,QQCTU;dagang=DGGEN,DGCRU;qdport=QWORE,HDOIL"
    # A manifested container not discharged this many hours after its manifest was filed (or
    # at its ship's ATD, whichever comes first) is flagged to customs.
    discharge_grace_hours: float = 72.0
    inspection_daily_capacity: int = 40
    inspection_horizon_days: int = 366
    # /metrics is readable from the machine itself, or from elsewhere with this bearer token.
    metrics_token: str | None = None
    # NATS with JetStream for agency systems and audit checkpoints (nats://host:4222); without
    # one Kouan runs on its own, as before.
    nats_url: str | None = None
    # The audit chain's key (HMAC), kept apart from the database: the key itself, or a file that
    # holds it. With neither, a demo's key file is made under var/ (see audit_key).
    audit_key: SecretStr | None = None
    audit_key_file: Path | None = None
    # The key of the verification codes printed on papers (permits, release notices); without
    # one it is derived from the audit key (a new audit key then voids the codes printed).
    papers_key: SecretStr | None = None
    # Where the one checkpoint job appends the chain's signed checkpoints, and their subject on
    # NATS (when nats_url is set): keep both away from the database and its backups.
    audit_checkpoint_file: Path = Path("var/audit-checkpoints.jsonl")
    audit_checkpoint_subject: str = "kouan.audit.checkpoint"
    # The JetStream stream Kouan's events go to and the subjects' first tokens (see docs/events.md);
    # a test or a second installation on one server takes names of its own.
    nats_stream: str = "KOUAN"
    nats_subject_prefix: str = "kouan.event"
    # Published events are kept this long in the outbox (the stream keeps them for consumers).
    outbox_retention_days: float = 7.0
    # Whether the server relays the outbox itself (else `kouan outbox relay --loop` does).
    outbox_relay_in_server: bool = True
    # Webhooks: attempts before a delivery fails, and whether URLs may name this machine or a
    # private network (refused in production: a webhook must not reach inside the port's network).
    webhook_max_attempts: int = 8
    webhook_allow_private_hosts: bool = False
    # Notifications by e-mail (kouan.services.platform.mailer): off unless smtp_host is set, and
    # then only to users with an address. STARTTLS when smtp_starttls; a login when smtp_user is
    # set. Links in the mails start with public_url (e.g. https://kouan.example).
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "kouan@localhost"
    smtp_starttls: bool = False
    smtp_timeout_s: float = 10.0
    mail_max_attempts: int = 8
    # Whether the server mails notifications itself (else `kouan notifications mail --loop`).
    mail_in_server: bool = True
    public_url: str = "http://127.0.0.1:8000"
    # Cargo manifests are due this many hours before the ship's ETA (import) and before loading
    # (export: the manifest's loading time, else the call's ETA); a port of its own in
    # manifest_deadlines, e.g. {"CNTAO": {"import": 0, "export": 24}}. Late ones are kept, flagged.
    manifest_import_hours: float = 0.0
    manifest_export_hours: float = 24.0
    manifest_deadlines: dict[str, dict[str, float]] = {}
    # Goods on an import manifest still undeclared this many days after their discharge (the
    # ship's arrival when the terminal reported none) are listed for customs.
    undeclared_days: int = 14


@cache
def get_settings() -> Settings:
    return Settings()


def audit_key(settings: Settings) -> bytes:
    """The audit chain's key: KOUAN_AUDIT_KEY, else the file KOUAN_AUDIT_KEY_FILE names, else
    the demo's key file (made if missing, with a warning). At least 32 characters."""
    given = settings.audit_key.get_secret_value() if settings.audit_key else None
    return _audit_key(given, settings.audit_key_file)


@cache
def _audit_key(given: str | None, key_file: Path | None) -> bytes:
    if given is not None:
        key, where = given.strip(), "KOUAN_AUDIT_KEY"
    elif key_file is not None:
        if not key_file.is_file():
            raise ValueError(f"KOUAN_AUDIT_KEY_FILE: {key_file} is not a file holding the key")
        key, where = key_file.read_text("utf-8").strip(), str(key_file)
    else:
        key, where = _demo_audit_key(), str(DEMO_AUDIT_KEY_FILE)
    if len(key) < 32:
        raise ValueError(f"the audit key in {where} has {len(key)} characters; 32 or more expected")
    return key.encode()


def _demo_audit_key() -> str:
    """The demo's key, made once: whoever creates the file first (of several workers) wins."""
    logging.getLogger("kouan.audit").warning(
        "no audit key configured (KOUAN_AUDIT_KEY or KOUAN_AUDIT_KEY_FILE): the audit chain is "
        "keyed with %s, fit for a demo only; keep a production key away from the database",
        DEMO_AUDIT_KEY_FILE,
    )
    DEMO_AUDIT_KEY_FILE.parent.mkdir(parents=True, exist_ok=True)
    # Written whole under a name of its own, then linked into place: a worker never reads half
    # a key, and of two workers' keys the first linked is everyone's.
    made = DEMO_AUDIT_KEY_FILE.with_name(f".audit.key.{os.getpid()}.{secrets.token_hex(4)}")
    with os.fdopen(os.open(made, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as out:
        out.write(secrets.token_hex(32) + "\n")
    try:
        os.link(made, DEMO_AUDIT_KEY_FILE)
    except FileExistsError:
        pass
    finally:
        made.unlink()
    return DEMO_AUDIT_KEY_FILE.read_text("utf-8").strip()

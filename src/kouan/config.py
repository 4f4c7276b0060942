"""Settings, read once from the environment (prefix KOUAN_)."""

from __future__ import annotations

import secrets
from functools import cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KOUAN_", extra="ignore")

    database_url: str = "sqlite:///var/kouan.db"
    # A random key per process when none is configured: sessions then end with the process,
    # which is right for a demo and forces production to set one.
    secret_key: str = secrets.token_urlsafe(32)
    token_minutes: int = 8 * 60
    filing_deadline_hours: float = 24.0
    login_max_failures: int = 5
    login_lock_minutes: int = 15
    max_body_bytes: int = 2_000_000
    port_area_file: Path | None = None  # GeoJSON polygon replacing the default port area
    default_lang: str = "zh"
    # Inspections a site can do a day unless customs sets that day's capacity, and how far ahead
    # a booking may go when every day is full.
    inspection_daily_capacity: int = 40
    inspection_horizon_days: int = 366
    # NATS with JetStream for agency systems and audit checkpoints (nats://host:4222); without
    # one Kouan runs on its own, as before.
    nats_url: str | None = None


@cache
def get_settings() -> Settings:
    return Settings()

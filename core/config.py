"""Settings, read from ``CLAUSEWATCH_*`` environment variables and an optional ``.env`` file.

One object holds every knob so the README's configuration table, the CLI and the server agree.
"""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_database_url() -> str:
    """A SQLite file in the per-user data folder, so a first run needs no database server."""
    folder = Path(user_data_dir("clausewatch", appauthor=False))
    return f"sqlite:///{folder / 'clausewatch.sqlite3'}"


class Settings(BaseSettings):
    """Every runtime setting; see README.md for the table of names, defaults and meanings."""

    model_config = SettingsConfigDict(env_prefix="CLAUSEWATCH_", env_file=".env", extra="ignore")

    database_url: str = Field(default_factory=default_database_url)
    allow_private_urls: bool = False
    allowed_networks: str = ""
    fetch_timeout: float = 30.0
    fetch_max_bytes: int = 10 * 1024 * 1024
    fetch_max_redirects: int = 5
    fetch_retries: int = 2
    fetch_per_host: int = 4
    fetch_host_interval: float = 1.0
    fetch_concurrency: int = 32
    chromium_path: str = "/usr/bin/chromium"
    browser_concurrency: int = 2
    check_interval_hours: float = 24.0
    check_jitter: float = 0.1
    check_batch: int = 50
    check_lease_seconds: float = 900.0
    check_workers: int = 0
    scheduler_poll_seconds: float = 30.0
    delivery_poll_seconds: float = 2.0
    delivery_lease_seconds: float = 60.0
    delivery_concurrency: int = 64
    delivery_max_attempts: int = 25
    delivery_max_backoff_seconds: float = 3600.0
    public_url: str = "http://127.0.0.1:3978"
    privacy_url: str = ""
    terms_url: str = ""
    link_secret: str = ""
    link_ttl_days: float = 30.0
    api_token: str = ""
    log_format: str = "text"
    flap_window_hours: float = 24.0
    user_agent: str = "clausewatch/0.1 (+https://github.com/clausewatch/clausewatch; terms-change monitor)"
    host: str = "127.0.0.1"
    port: int = 3978
    slack_signing_secret: str = ""
    slack_bot_token: str = ""
    slack_client_id: str = ""
    slack_client_secret: str = ""
    slack_app_token: str = ""
    slack_api_url: str = "https://slack.com/api/"
    teams_app_id: str = ""
    teams_app_password: str = ""
    teams_tenant_id: str = ""
    teams_emulator: bool = False
    teams_openid_metadata_url: str = ""
    llm_model: str = ""
    llm_base_url: str = ""
    llm_api_key: str = ""
    llm_timeout: float = 20.0
    llm_pick_clauses: bool = False
    reader: str = "rules"

    @property
    def slack_enabled(self) -> bool:
        """Slack is on when its signing secret is set: without it no request could be verified."""
        return bool(self.slack_signing_secret)

    @property
    def teams_enabled(self) -> bool:
        """Teams is on with an app id (authenticated), or in emulator mode (open, for development only)."""
        return bool(self.teams_app_id) or self.teams_emulator

    @property
    def privacy_page_url(self) -> str:
        """The privacy statement the Teams manifest links to: ``serve``'s own ``/privacy`` unless the
        organisation publishes its own."""
        return self.privacy_url or f"{self.public_url.rstrip('/')}/privacy"

    @property
    def terms_page_url(self) -> str:
        """The terms of use the Teams manifest links to: ``serve``'s own ``/terms`` unless set."""
        return self.terms_url or f"{self.public_url.rstrip('/')}/terms"

    @property
    def llm_enabled(self) -> bool:
        """A language model is used only when a model is named; everything works without one."""
        return bool(self.llm_model)

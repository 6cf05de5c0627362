"""Engines, sessions and schema migrations for SQLite (embedded default) and PostgreSQL (scale-out).

Migrations are Alembic's, shipped inside the package so ``clausewatch db upgrade`` works from an install.
SQLite databases are upgraded automatically on open (one local user, nothing to coordinate); PostgreSQL
ones are upgraded only by the explicit command, so several replicas never race to migrate.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlmodel import Session, create_engine

from core.errors import ClausewatchError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
HEAD_REVISION = "0012"
"""The newest migration shipped with this version (a test holds it to the migration scripts).

Knowing it without Alembic means opening a current database imports none of Alembic, Mako and Pygments:
a third of a second and about 15 MB on every CLI command and check run."""


def _driver_url(url: str) -> str:
    """Pick psycopg 3 for plain ``postgresql://`` URLs, the driver the project installs."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets readers work beside the writer; foreign keys keep blobs and versions consistent.

    pysqlite's own transaction handling is switched off so ``_sqlite_begin`` can start every transaction
    with BEGIN IMMEDIATE: a read-then-write (is this text new? then store it) is then serialised between
    processes instead of both inserting the same version.
    """
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    mode = "DEFERRED" if connection.get_execution_options().get("clausewatch_read") else "IMMEDIATE"
    connection.exec_driver_sql(f"BEGIN {mode}")


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine for ``url``, creating the SQLite file's folder when needed."""
    try:
        parsed = make_url(_driver_url(url))
    except ArgumentError as exc:
        raise ClausewatchError(f"CLAUSEWATCH_DATABASE_URL is not a database URL: {url!r}") from exc
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"check_same_thread": False}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if parsed.get_backend_name() != "postgresql":
        raise ClausewatchError(
            f"unsupported database {parsed.get_backend_name()!r}: use sqlite or postgresql"
        )
    return create_engine(parsed, pool_pre_ping=True, **kwargs)


def is_sqlite(engine: Engine) -> bool:
    """True for the embedded default."""
    return engine.dialect.name == "sqlite"


def _alembic_config(engine: Engine | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    """The newest migration shipped with this version of clausewatch."""
    return HEAD_REVISION


def script_head_revision() -> str | None:
    """The newest migration according to Alembic's reading of the scripts (``HEAD_REVISION``'s check)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at (Alembic's ``alembic_version`` row), or None for an empty one."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration (idempotent)."""
    from alembic import command

    command.upgrade(_alembic_config(engine), "head")


def open_engine(url: str) -> Engine:
    """Engine ready for use: migrated if embedded, checked to be current otherwise.

    Raises one clear ``ClausewatchError`` for an unreachable database or an outdated schema.
    """
    engine = make_engine(url)
    try:
        current = current_revision(engine)
        if is_sqlite(engine) and current != head_revision():
            upgrade(engine)
        elif current != head_revision():
            raise ClausewatchError("the database schema is not current: run `clausewatch db upgrade`")
    except OperationalError as exc:
        reason = failure_reason(exc)
        raise ClausewatchError(f"cannot open the database {engine.url.render_as_string()}: {reason}") from exc
    return engine


def failure_reason(error: SQLAlchemyError) -> str:
    """The driver's first line about a database failure ("connection refused"), without SQLAlchemy's
    wrapping and the statement it was running."""
    orig = getattr(error, "orig", None)
    lines = str(orig if orig is not None else error).strip().splitlines()
    return lines[0] if lines else "connection failed"


@contextmanager
def read_scope(engine: Engine) -> Iterator[Session]:
    """A transaction that mostly reads (answering questions, printing profiles).

    On SQLite it starts DEFERRED, so it takes the write lock only if it writes (a profile computed on
    first read) and a question never holds up a check cycle; otherwise it is ``session_scope``.
    """
    with session_scope(engine.execution_options(clausewatch_read=True)) as session:
        yield session


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: committed on success, rolled back on any error, so nothing is half-written."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise

"""``clausewatch serve``: one aiohttp server hosting the chat platforms' endpoints and the worker.

This is the composition root: it builds the configured adapters (``bots.server.adapters``), mounts their
routes beside ``/healthz``, and runs the scheduler and the alert delivery worker in the same process
(each can be switched off, so web replicas and workers scale apart). Slack in Socket Mode connects out
instead of waiting for Slack's requests.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from bots.server import adapters, api, diff_page, feeds, logs, policy_pages
from bots.server.background import BackgroundLoop
from bots.server.worker import run_worker, stopping_on_signals
from core.config import Settings
from core.metrics import StoreCollector
from core.storage import database

log = logging.getLogger(__name__)
T = TypeVar("T")

ENGINE = web.AppKey("engine", Engine)
METRICS = web.AppKey("metrics", CollectorRegistry)
ADAPTERS = web.AppKey("adapters", adapters.Adapters)


def build_server(
    engine: Engine, settings: Settings, *, scheduler: bool = True, delivery: bool = True
) -> web.Application:
    """The web application; platform settings are checked here, so a bad one stops start-up."""
    platforms = adapters.load(engine, settings)
    app = operator_app(engine)
    app[ADAPTERS] = platforms
    app.router.add_routes(diff_page.routes(engine, settings))
    app.router.add_routes(feeds.routes(engine, settings))
    app.add_subapp(api.PREFIX, api.app(engine, settings))
    app.router.add_routes(policy_pages.routes(settings))
    app.router.add_routes(platforms.routes())
    app.on_startup.append(_freeze_heap)
    app.on_cleanup.append(_close_commands)
    if scheduler or delivery:
        app.cleanup_ctx.append(_background_worker(engine, settings, platforms, scheduler, delivery))
    if platforms.slack and settings.slack_app_token:
        app.cleanup_ctx.append(_socket_mode(platforms, settings.slack_app_token))
    return app


def operator_app(engine: Engine) -> web.Application:
    """The operator's endpoints alone (``/healthz``, ``/readyz``, ``/metrics``): the base of the server,
    and what ``clausewatch worker --metrics-port`` serves so its counters can be scraped too."""
    app = web.Application(middlewares=[logs.request_ids])
    app[ENGINE] = engine
    app[METRICS] = CollectorRegistry()
    app[METRICS].register(StoreCollector(engine))
    app.router.add_get("/healthz", _healthz)
    app.router.add_get("/readyz", _readyz)
    app.router.add_get("/metrics", _metrics)
    return app


async def _healthz(_request: web.Request) -> web.Response:
    """Liveness: the process answers."""
    return web.json_response({"status": "ok"})


async def _readyz(request: web.Request) -> web.Response:
    """Readiness: the database answers and its schema is the one this code expects (else 503)."""
    engine = request.app[ENGINE]
    try:
        current = await asyncio.to_thread(database.current_revision, engine)
    except SQLAlchemyError as error:
        reason = database.failure_reason(error)
        return web.json_response({"status": "unavailable", "database": reason[:300]}, status=503)
    expected = database.head_revision()
    if current != expected:
        detail = f"schema at {current}, code expects {expected}: run `clausewatch db upgrade`"
        return web.json_response({"status": "unavailable", "database": detail}, status=503)
    return web.json_response({"status": "ready", "schema": current})


async def _metrics(request: web.Request) -> web.Response:
    """Prometheus exposition: this process's counters, then the database's totals."""
    body = await asyncio.to_thread(lambda: generate_latest(REGISTRY) + generate_latest(request.app[METRICS]))
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


def _background_worker(
    engine: Engine, settings: Settings, platforms: adapters.Adapters, scheduler: bool, delivery: bool
) -> Callable[[web.Application], AsyncIterator[None]]:
    """Run the worker beside the server, on a loop of its own so a check cycle never delays an
    acknowledgement; on shutdown it finishes its round, so no alert is lost."""

    async def worker(_app: web.Application) -> AsyncIterator[None]:
        background, stop = BackgroundLoop("clausewatch-worker"), asyncio.Event()
        running = asyncio.ensure_future(
            background.run(
                run_worker(
                    engine,
                    settings,
                    scheduler=scheduler,
                    delivery=delivery,
                    senders=platforms.senders(),
                    stop=stop,
                    handle_signals=False,
                )
            )
        )
        yield
        await background.run(_set(stop))
        await running
        await background.close()

    return worker


async def _set(event: asyncio.Event) -> None:
    """Set ``event`` from the loop that waits on it."""
    event.set()


async def _freeze_heap(_app: web.Application) -> None:
    """Move what start-up built (modules, the catalog, indexes) out of the garbage collector's sight.

    None of it is ever garbage, and a full collection walking it paused every request in flight (81 ms
    with about 200,000 objects, measured by ``benchmarks/slack_ack.py``).
    """
    gc.collect()
    gc.freeze()


async def _close_commands(app: web.Application) -> None:
    """Let commands in progress finish before the process exits."""
    await app[ADAPTERS].commands.close()


def _socket_mode(
    platforms: adapters.Adapters, app_token: str
) -> Callable[[web.Application], AsyncIterator[None]]:
    """Slack over Socket Mode: for development without a public URL."""

    async def connect(_app: web.Application) -> AsyncIterator[None]:
        assert platforms.slack is not None
        handler = AsyncSocketModeHandler(platforms.slack.app, app_token)
        await handler.connect_async()
        log.info("Slack Socket Mode connected")
        yield
        with contextlib.suppress(Exception):
            await handler.close_async()

    return connect


SHUTDOWN_SECONDS = 30
"""How long requests in flight may take after SIGTERM before the server closes their connections."""


async def serving_operator_endpoints(engine: Engine, host: str, port: int | None, work: Awaitable[T]) -> T:
    """Await ``work`` while serving the operator's endpoints on ``port`` (None: without them)."""
    if port is None:
        return await work
    runner = web.AppRunner(operator_app(engine), access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        log.info("operator endpoints (/healthz, /readyz, /metrics) on http://%s:%d", host, port)
        return await work
    finally:
        await runner.cleanup()


def serve(engine: Engine, settings: Settings, *, scheduler: bool = True, delivery: bool = True) -> None:
    """Serve until SIGINT or SIGTERM, then shut down gracefully (requests in flight, commands, the
    worker's round), saying so in the log at each end."""
    app = build_server(engine, settings, scheduler=scheduler, delivery=delivery)
    asyncio.run(_serve_until_stopped(app, settings, scheduler=scheduler, delivery=delivery))


async def _serve_until_stopped(
    app: web.Application, settings: Settings, *, scheduler: bool, delivery: bool
) -> None:
    """Listen on the configured address until a signal, then clean up the application."""
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=SHUTDOWN_SECONDS)
    await runner.setup()
    stop = asyncio.Event()
    try:
        await web.TCPSite(runner, settings.host, settings.port).start()
        log.info(
            "serving on http://%s:%d (public URL %s); scheduler %s, delivery %s%s",
            settings.host,
            settings.port,
            settings.public_url,
            "on" if scheduler else "off",
            "on" if delivery else "off",
            "" if scheduler and delivery else " (run `clausewatch worker` for what is off)",
        )
        doing = f"shutting down (requests in flight get {SHUTDOWN_SECONDS} s, the worker finishes its round)"
        with stopping_on_signals(stop, doing):
            await stop.wait()
    finally:
        await runner.cleanup()
    log.info("serve stopped")

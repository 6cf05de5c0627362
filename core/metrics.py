"""What an operator graphs: checks, fetch errors, changes, alerts and answer latency, for Prometheus.

Two kinds of figures. What this process did (checks run, fetch errors, how long answers took) is counted
where it happens. What the installation holds (changes recorded, alerts pending, sent or dead) is read
from the database when scraped, so every replica reports the same true totals rather than its share.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.engine import Engine
from sqlmodel import col, func, select

from core.storage.database import read_scope
from core.storage.models import Alert, Change, Document

CHECKS = Counter("clausewatch_checks", "Document checks run by this process, by outcome", ["outcome"])
FETCH_ERRORS = Counter("clausewatch_fetch_errors", "Checks whose page could not be fetched or read")
ANSWER_SECONDS = Histogram(
    "clausewatch_answer_seconds",
    "Time to answer a question, language model included",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)


class StoreCollector(Collector):
    """Totals read from the database at each scrape."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[Metric]:
        """Changes and AI-training changes recorded, alerts by state, documents by state."""
        with read_scope(self.engine) as session:
            changes = session.exec(select(func.count()).select_from(Change)).one()
            ai = session.exec(
                select(func.count()).select_from(Change).where(col(Change.ai_training_change).is_(True))
            ).one()
            alerts = session.exec(select(Alert.state, func.count()).group_by(col(Alert.state))).all()
            failing = session.exec(
                select(func.count())
                .select_from(Alert)
                .where(Alert.state == "pending", col(Alert.attempts) > 0)
            ).one()
            documents = session.exec(
                select(Document.state, func.count()).where(col(Document.active)).group_by(col(Document.state))
            ).all()
        yield CounterMetricFamily("clausewatch_changes", "Changes recorded", value=changes)
        yield CounterMetricFamily(
            "clausewatch_ai_changes", "Changes that moved AI-training language", value=ai
        )
        by_state = GaugeMetricFamily("clausewatch_alerts", "Alerts by state", labels=["state"])
        counts = dict(alerts)
        for state in ("pending", "sent", "dead", "cancelled"):
            by_state.add_metric([state], counts.get(state, 0))
        yield by_state
        yield GaugeMetricFamily(
            "clausewatch_alerts_failing",
            "Pending alerts whose last send failed (being retried)",
            value=failing,
        )
        docs = GaugeMetricFamily("clausewatch_documents", "Tracked documents by state", labels=["state"])
        for state, count in documents:
            docs.add_metric([state], count)
        yield docs

"""The aggregator as one object: what it owns, and how it starts and stops."""

from __future__ import annotations

import asyncio
import os
import signal
from contextlib import AsyncExitStack
from functools import partial
from pathlib import Path

import structlog
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from prometheus_client import CollectorRegistry

from safetywatch.accounting import Grader, Ledger, quarter_of
from safetywatch.aggregator.alerts import AlertBoard
from safetywatch.aggregator.clock import Clock, system_clock
from safetywatch.aggregator.follow.follower import LogFollower
from safetywatch.aggregator.follow.replay_reader import ReaderPlan
from safetywatch.aggregator.metrics.alerts import AlertCollector
from safetywatch.aggregator.metrics.chain import ChainCollector, ConfirmationCollector
from safetywatch.aggregator.metrics.counts import LedgerCollector, NameCollector
from safetywatch.aggregator.metrics.indicators import IndicatorCollector
from safetywatch.aggregator.metrics.pipeline import PipelineCollector
from safetywatch.aggregator.pipeline import PipelineState
from safetywatch.aggregator.state.checkpoints import Checkpoints, fingerprint
from safetywatch.aggregator.state.keeper import CheckpointKeeper
from safetywatch.aggregator.state.record_file import RecordFile, StateDirectoryBusy, make_private
from safetywatch.config import AreaConfig, ConfigError, Settings, load_area
from safetywatch.logs import configure_logging
from safetywatch.native import ledger_storage

log = structlog.get_logger("safetywatch.aggregator")


def open_record_file(directory: Path | None, keep: bool = False) -> RecordFile:
    """The record file, or a configuration error naming the variable that chose its place.
    A kept one (for checkpoints) that another aggregator holds gives way to an unlinked
    one, and this replica replays in full."""
    try:
        if directory is not None and (was := make_private(directory)) is not None:
            log.warning(
                "state_dir_tightened",
                path=str(directory),
                mode_was=oct(was),
                mode=oct(0o700),
                reason="the state directory holds every report: the aggregator's alone",
            )
        if keep:
            try:
                return RecordFile(directory, keep=True)
            except StateDirectoryBusy as busy:
                log.warning("checkpoints_off", reason=str(busy))
        return RecordFile(directory)
    except OSError as error:
        where = directory if directory is not None else "the system's temporary directory"
        raise ConfigError(
            f"environment: SAFETYWATCH_STATE_DIR: cannot create the record file in {where}: "
            f"{error.strerror}"
        ) from None


def _stop_the_process(_error: BaseException) -> None:
    # Crash-only: the server shuts down, the CLI exits 1 and a supervisor restarts us.
    os.kill(os.getpid(), signal.SIGTERM)


class Aggregator:
    """Owns the record file, the ledger, the follower that feeds it, the alert board and
    the metrics registry; starts them on an exit stack with the rule schedule."""

    def __init__(self, settings: Settings, area: AreaConfig, clock: Clock = system_clock) -> None:
        self.settings = settings
        self.area = area
        self.clock = clock
        state_dir = settings.aggregator.state_dir
        checkpointing = (
            state_dir is not None and settings.aggregator.checkpoint_interval_seconds > 0
        )
        self.records = open_record_file(state_dir, keep=checkpointing)
        grader = Grader(area.zone, area.grade_tables())
        self.ledger = Ledger(
            area.zone, self.records, grader, area.reporting.chain_rules(), ledger_storage()
        )
        self.pipeline = PipelineState()
        self.board = AlertBoard(
            self.ledger, area, clock, ready=lambda: self.pipeline.replay_complete
        )
        self.follower = LogFollower(
            settings.connection,
            settings.kafka.topic,
            self.ledger,
            self.pipeline,
            self.records,
            after_batch=self.board.refresh_soon,
            on_failure=_stop_the_process,
            keeper=self._keeper(),
            checkpoint_every=settings.aggregator.checkpoint_interval_seconds,
            reader=ReaderPlan(
                settings.aggregator.replay_reader_min_records,
                partial(
                    configure_logging,
                    "aggregator-reader",
                    settings.service.log_format,
                    settings.service.log_level,
                ),
            ),
        )
        #: ``/metrics``: what pages people and the names, scraped every few seconds.
        self.registry = CollectorRegistry()
        self.registry.register(NameCollector(area, clock))
        self.registry.register(IndicatorCollector(self.ledger, area, self.pipeline, clock))
        self.registry.register(PipelineCollector(self.ledger, self.pipeline))
        self.registry.register(AlertCollector(self.board))
        self.registry.register(ChainCollector(self.board))
        #: ``/metrics/counts``: the count families, large at a province's scale and
        #: scraped less often.
        self.counts_registry = CollectorRegistry()
        self.counts_registry.register(LedgerCollector(self.ledger, area, self.pipeline, clock))
        self.counts_registry.register(
            ConfirmationCollector(self.ledger, area, self.pipeline, clock)
        )

    def _keeper(self) -> CheckpointKeeper | None:
        directory = self.settings.aggregator.state_dir
        if not self.records.kept or directory is None:
            return None
        topic = self.settings.kafka.topic
        checkpoints = Checkpoints(directory, fingerprint(self.area, topic), topic)
        return CheckpointKeeper(checkpoints, self.records, self.ledger, self.pipeline)

    @property
    def ready(self) -> bool:
        return self.pipeline.failure is None and self.pipeline.replay_complete

    async def start(self, stack: AsyncExitStack) -> None:
        stack.callback(self.records.close)
        await self.follower.start(stack)
        self._start_schedule(stack)
        log.info(
            "aggregator_started",
            url=f"http://{self.settings.aggregator.host}:{self.settings.aggregator.port}",
            kafka=self.settings.connection.described(),
            topic=self.settings.kafka.topic,
            time_zone=self.area.time_zone,
            regions=len(self.area.regions),
            ledger_rows="compiled" if self.ledger.storage.compiled else "python (no compiled rows)",
        )

    def _start_schedule(self, stack: AsyncExitStack) -> None:
        zone = self.area.zone
        scheduler = AsyncIOScheduler(timezone=zone)
        # Hold times, sliding windows and year-to-date pace move with the clock alone.
        every = self.settings.aggregator.evaluation_interval_seconds
        scheduler.add_job(self.board.refresh, "interval", seconds=every, id="evaluate_rules")
        scheduler.add_job(
            self.rolled_over,
            CronTrigger(month="1,4,7,10", day=1, hour=0, minute=0, timezone=zone),
            id="quarter_rollover",
        )
        scheduler.start()
        stack.callback(scheduler.shutdown, wait=False)
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGHUP, self.reload_rules)
        stack.callback(loop.remove_signal_handler, signal.SIGHUP)

    def rolled_over(self) -> None:
        log.info("quarter_rolled_over", quarter=quarter_of(self.clock(), self.area.zone).label)
        self.board.refresh()

    def reload_rules(self) -> None:
        """SIGHUP: the area file's rules again; regions and time zone change on restart only."""
        try:
            reloaded = load_area(self.settings.config_file)
        except ConfigError as error:
            log.error(
                "config_reload_refused", error=str(error), rules_kept=len(self.board.area.rules)
            )
            return
        if reloaded.regions != self.area.regions or reloaded.time_zone != self.area.time_zone:
            log.warning(
                "config_reload_partial", detail="regions and time zone change on restart only"
            )
        self.board.reload(self.area.model_copy(update={"rules": reloaded.rules}))
        log.info("config_reloaded", rules=len(reloaded.rules))

"""``safetywatch``: run the services, manage the topic, post reports, run the demo."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from safetywatch.config import (
    ClientSettings,
    ConfigError,
    GatewaySettings,
    ServiceSettings,
    Settings,
    load_area,
    load_role,
    load_settings,
    refuse_unknown_variables,
)
from safetywatch.regions import Level, is_region_prefix


def _serve(service: str) -> int:
    import uvicorn
    from fastapi import FastAPI

    from safetywatch.logs import configure_logging
    from safetywatch.web import HeadRefusal, bounded_protocol

    settings = load_settings()
    refuse_unknown_variables(os.environ)
    area = load_area(settings.config_file)
    configure_logging(service, settings.service.log_format, settings.service.log_level)
    _check_kafka(settings)
    app: FastAPI
    on_head_refused: HeadRefusal | None = None
    if service == "gateway":
        from safetywatch.ingest import Gateway, gateway_app

        gateway = Gateway(settings, area)
        app, host, port = gateway_app(gateway), settings.gateway.host, settings.gateway.port
        on_head_refused = gateway.audit_head_refusal
    else:
        from safetywatch.aggregator import Aggregator, aggregator_app

        aggregator = Aggregator(settings, area)
        app = aggregator_app(aggregator)
        host, port = settings.aggregator.host, settings.aggregator.port
    # Hostile clients: request heads bounded on the raw bytes whatever the parser (431),
    # idle keep-alive connections closed after 5 s; slow bodies are cut by the
    # gateway's own body timeout.
    protocol = bounded_protocol(
        settings.service.max_header_bytes, settings.service.max_header_fields, on_head_refused
    )
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        lifespan="on",
        http=protocol,
        h11_max_incomplete_event_size=settings.service.max_header_bytes,
        timeout_keep_alive=5,
        server_header=False,
    )
    # Crash-only: a follower that failed stopped the server; a supervisor restarts us.
    pipeline = getattr(app.state.service, "pipeline", None)
    return 1 if pipeline is not None and pipeline.failure else 0


def _check_kafka(settings: Settings) -> None:
    """A refused password, an untrusted certificate or a missing ACL stops start-up
    (ConfigError, one line); an unreachable broker does not: the service starts and
    connects once the broker answers, as it always did."""
    import structlog

    from safetywatch.kafka import KafkaAccessRefused, verify_access

    try:
        verified = asyncio.run(verify_access(settings.connection, settings.kafka.topic))
    except KafkaAccessRefused as error:
        raise ConfigError(str(error)) from None
    if not verified:
        structlog.get_logger("safetywatch").warning(
            "kafka_not_verified", kafka=settings.connection.described(), reason="unreachable"
        )


def _topic(args: argparse.Namespace) -> int:
    from safetywatch.kafka import KafkaAccessRefused, TopicNotCreated, TopicSpec, ensure_topic
    from safetywatch.logs import configure_logging

    settings = load_settings()
    # The one line printed below says what happened; library chatter only on trouble.
    configure_logging("tooling", "console", "WARNING", cache_loggers=False)
    replication = args.replication_factor or settings.kafka.replication
    spec = TopicSpec(settings.kafka.topic, args.partitions, replication)
    try:
        created = asyncio.run(ensure_topic(settings.connection, spec))
    except TopicNotCreated as error:
        print(f"safetywatch topic ensure: {error}", file=sys.stderr)
        return 1
    except KafkaAccessRefused as error:
        raise ConfigError(str(error)) from None
    print(
        f"topic {spec.name} {'created' if created else 'already exists'} on {settings.connection.bootstrap}"
    )
    return 0


def _report(args: argparse.Namespace) -> int:
    from safetywatch.client import DEFAULT_OUTBOX, ReportFileError, report_command

    client = load_role(ClientSettings)
    outbox = Path(args.outbox or client.outbox or DEFAULT_OUTBOX)
    try:
        token = _token(args.token_file, client)
        return report_command(args.file, client.gateway, token, outbox, args.deadline, sys.stdout)
    except (ReportFileError, OSError) as error:
        print(f"safetywatch report: {error}", file=sys.stderr)
        return 2


def _import(args: argparse.Namespace) -> int:
    from safetywatch.client import ReportFileError, gateway_client, import_command

    settings = load_role(ClientSettings)
    try:
        if args.dry_run:
            return import_command(Path(args.file), None, sys.stdout, sys.stderr)
        token = _token(args.token_file, settings)
        with gateway_client(settings.gateway, token, timeout=120) as client:
            return import_command(Path(args.file), client, sys.stdout, sys.stderr)
    except (ReportFileError, OSError) as error:
        print(f"safetywatch import: {error}", file=sys.stderr)
        return 2


def _token(token_file: str | None, client: ClientSettings) -> str:
    """The unit's token: from --token-file, else SAFETYWATCH_TOKEN."""
    if token_file:
        return Path(token_file).read_text(encoding="utf-8").strip()
    return client.token.get_secret_value().strip()


def _demo(args: argparse.Namespace) -> int:
    from safetywatch.demo import run_demo

    settings = load_settings()
    area = load_area(settings.config_file)
    gateway = args.gateway or f"http://{settings.gateway.host}:{settings.gateway.port}"
    aggregator = args.aggregator or f"http://{settings.aggregator.host}:{settings.aggregator.port}"
    return run_demo(
        gateway, aggregator, area.zone, _token(args.token_file, load_role(ClientSettings))
    )


def _alertmanager_config(args: argparse.Namespace) -> int:
    import os

    from safetywatch.config import write_alertmanager_config

    settings = load_settings()
    area = load_area(settings.config_file)
    out = write_alertmanager_config(Path(args.base), area, os.environ, Path(args.out))
    print(f"wrote {out}")
    return 0


def _tokens(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from safetywatch.units import TokenCommandError

    path = Path(args.file) if args.file else load_role(GatewaySettings).tokens_file
    if path is None:
        raise ConfigError("environment: SAFETYWATCH_TOKENS_FILE (or --file) names the tokens file")
    try:
        return _token_action(args, path)
    except TokenCommandError as error:
        print(f"safetywatch tokens: {error}", file=sys.stderr)
        return 2
    except ValidationError as error:
        problem = error.errors()[0]
        where = ".".join(str(part) for part in problem["loc"][-1:])
        print(f"safetywatch tokens: {where}: {problem['msg']}", file=sys.stderr)
        return 2


def _regions(text: str | None) -> list[str] | None:
    """``--regions``: prefixes of the area's regions (SAFETYWATCH_CONFIG_FILE)."""
    from safetywatch.units import TokenCommandError

    if text is None:
        return None
    regions = [part.strip() for part in text.split(",") if part.strip()]
    area = load_area(load_role(ServiceSettings).config_file)
    for prefix in regions:
        if not is_region_prefix(prefix):
            raise TokenCommandError(
                f"--regions: {prefix!r} is not a region code prefix of 2, 4 or 6 digits "
                "(520201 a county, 5202 a city, 52 a province)"
            )
        if not area.selects_any(prefix):
            raise TokenCommandError(
                f"--regions: {prefix} is not in the area {area.root.name} ({area.root.code})"
            )
    return regions


def _token_action(args: argparse.Namespace, path: Path) -> int:
    from safetywatch.units import add_token, read_token_file, revoke_token, update_unit

    level = Level(args.level) if getattr(args, "level", None) else None
    if args.action == "add":
        expires = timedelta(days=args.expires_in) if args.expires_in else None
        regions = _regions(args.regions) or []
        token = add_token(
            path, args.unit, regions, level, can_import=args.can_import, expires_in=expires
        )
        unit = next(u for u in read_token_file(path).units if u.unit_id == args.unit)
        importing = " and import history" if args.can_import else ""
        until = f", until {datetime.now(UTC) + expires:%Y-%m-%d}" if expires else ""
        said = (
            f"unit {args.unit} ({unit.level.value} level) may report and confirm{importing} "
            f"for {','.join(unit.regions)}{until}"
        )
        if args.save_to is not None:
            _save_token(args.save_to, token)
            print(f"{said}; its new token is in {args.save_to} (0600), shown nowhere else")
        else:
            print(f"{said}; its new token (shown only now):")
            print(token)
        if args.qr or args.qr_png:
            _token_qr(token, args.qr_png)
    elif args.action == "update-unit":
        unit = update_unit(path, args.unit, _regions(args.regions), level)
        print(f"unit {unit.unit_id}: {unit.level.value} level, regions {','.join(unit.regions)}")
    elif args.action == "list":
        for unit in read_token_file(path).units:
            ids = ", ".join(_token_line(t) for t in unit.tokens) or "no tokens"
            print(f"{unit.unit_id}\t{unit.level.value}\tregions {','.join(unit.regions)}\t{ids}")
    else:
        owner = revoke_token(path, args.token_id)
        if owner is None:
            print(f"no token {args.token_id} in {path}", file=sys.stderr)
            return 1
        print(f"revoked {args.token_id} of {owner}: every gateway reading {path} refuses it now")
    return 0


def _save_token(path: Path, token: str) -> None:
    """The token in a file only its owner reads (what --token-file reads back)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(token + "\n")
    path.chmod(0o600)  # an existing file keeps its mode through O_CREAT


def _token_line(token: Any) -> str:
    """``id (created, expires …, can import)``: what `tokens list` says of a token."""
    notes = [f"{token.created_at:%Y-%m-%d}"]
    if token.expires_at is not None:
        ended = token.expires_at <= datetime.now(UTC)
        notes.append(f"{'expired' if ended else 'expires'} {token.expires_at:%Y-%m-%d}")
    if token.can_import:
        notes.append("can import")
    return f"{token.id} ({', '.join(notes)})"


def _token_qr(token: str, png: str | None) -> None:
    """The field app's sign-in link as a QR code: scanned with the phone's camera, it
    opens the app signed in (the token rides in the fragment, never sent to a server)."""
    import segno

    public = load_role(GatewaySettings).public_url.rstrip("/")
    host = public.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[0]
    if host in ("127.0.0.1", "localhost", "[::1]", "0.0.0.0"):
        print(
            f"warning: the QR code opens {public}, which a phone cannot reach: set "
            "SAFETYWATCH_PUBLIC_URL to the gateway's address on the phones' network",
            file=sys.stderr,
        )
    link = f"{public}/app/#token={token}"
    code = segno.make(link, error="m")
    if png:
        code.save(png, scale=8, border=4)
        print(
            f"QR code of the app's sign-in link written to {png} (it holds the token: keep it safe)"
        )
    else:
        code.terminal(compact=True)
        print(f"the QR code opens {link.split('#')[0]} signed in as this unit")


def _check_config(_args: argparse.Namespace) -> int:
    settings = load_settings()
    area = load_area(settings.config_file)
    refuse_unknown_variables(os.environ)
    print(
        f"configuration OK: {len(area.regions)} regions under {area.root.code} {area.root.name}, "
        f"time zone {area.time_zone}, topic {settings.kafka.topic} on {settings.connection.described()}"
    )
    return 0


def _add_token_commands(commands: Any) -> None:
    """``safetywatch tokens add | list | revoke``."""
    tokens = commands.add_parser("tokens", help="manage field units' tokens")
    tokens.add_argument("--file", help="the tokens file (default SAFETYWATCH_TOKENS_FILE)")
    token_actions = tokens.add_subparsers(dest="action", required=True)
    add = token_actions.add_parser("add", help="add a unit or a token; prints the token once")
    add.add_argument("unit")
    add.add_argument("--regions", required=True, help="region code prefixes, e.g. 520201,520203")
    add.add_argument("--qr", action="store_true", help="also print the app's sign-in QR code")
    add.add_argument("--qr-png", metavar="FILE", help="also write the sign-in QR code as a PNG")
    add.add_argument(
        "--save-to",
        type=Path,
        metavar="FILE",
        help="write the token to FILE (0600, for --token-file) instead of printing it",
    )
    add.add_argument(
        "--level",
        choices=[level.value for level in Level],
        help="the unit's level in the reporting chain (new units: county)",
    )
    add.add_argument(
        "--can-import",
        action="store_true",
        help="the token may also post the bureau's history (safetywatch import), within "
        "the unit's regions",
    )
    add.add_argument(
        "--expires-in",
        type=int,
        metavar="DAYS",
        help="the token stops working after this many days (default: until revoked)",
    )
    update = token_actions.add_parser(
        "update-unit", help="change a unit's regions or level, for all of its tokens"
    )
    update.add_argument("unit")
    update.add_argument("--regions", help="region code prefixes, e.g. 520201,520203")
    update.add_argument("--level", choices=[level.value for level in Level])
    token_actions.add_parser("list", help="units, their regions and token ids (never secrets)")
    revoke = token_actions.add_parser("revoke", help="revoke a token by its id")
    revoke.add_argument("token_id")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="safetywatch", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("gateway", help="run the ingest gateway (SAFETYWATCH_GATEWAY_PORT, 8080)")
    commands.add_parser("aggregator", help="run the aggregator (SAFETYWATCH_AGGREGATOR_PORT, 9108)")
    topic = commands.add_parser("topic", help="manage the incidents topic")
    topic_commands = topic.add_subparsers(dest="action", required=True)
    ensure = topic_commands.add_parser("ensure", help="create the topic unless it exists")
    ensure.add_argument("--partitions", type=int, default=6)
    ensure.add_argument(
        "--replication-factor",
        type=int,
        default=None,
        help="default: SAFETYWATCH_TOPIC_REPLICATION (3 on a production cluster)",
    )
    report = commands.add_parser(
        "report", help="send reports (JSON, JSON lines or CSV) through an outbox on disk"
    )
    report.add_argument(
        "file", help="a file, - for standard input (an empty one: flush the outbox)"
    )
    report.add_argument("--token-file", help="the unit's token (default SAFETYWATCH_TOKEN)")
    report.add_argument(
        "--outbox", help="default SAFETYWATCH_OUTBOX or ~/.local/share/safetywatch/outbox"
    )
    report.add_argument("--deadline", type=float, default=300.0, help="seconds to keep retrying")
    history = commands.add_parser(
        "import",
        help="import the bureau's history (CSV or XLSX: the register export's layout, or "
        "report fields) as imported history: counted, chasing nobody",
    )
    history.add_argument("file")
    history.add_argument("--token-file", help="a token that may import (tokens add --can-import)")
    history.add_argument("--dry-run", action="store_true", help="check every row, send nothing")
    demo = commands.add_parser("demo", help="post the sample scenario and print the bulletin")
    demo.add_argument("--gateway")
    demo.add_argument("--aggregator")
    demo.add_argument("--token-file", help="the unit's token (default SAFETYWATCH_TOKEN)")
    alertmanager = commands.add_parser(
        "alertmanager-config", help="render the runnable Alertmanager configuration"
    )
    alertmanager.add_argument(
        "--base", default="deploy/monitoring/alertmanager/alertmanager.base.yml"
    )
    alertmanager.add_argument("--out", required=True)
    _add_token_commands(commands)
    config = commands.add_parser("config", help="configuration")
    config.add_subparsers(dest="action", required=True).add_parser("check", help="validate it")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command in ("gateway", "aggregator"):
            return _serve(args.command)
        handlers = {
            "topic": _topic,
            "report": _report,
            "import": _import,
            "demo": _demo,
            "config": _check_config,
            "alertmanager-config": _alertmanager_config,
            "tokens": _tokens,
        }
        return handlers[args.command](args)
    except ConfigError as error:
        print(f"safetywatch: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

"""python -m dev.stack: the local broker and the local stack (dev/kafka/broker and
dev/up, down call this)."""

from __future__ import annotations

import argparse
import sys

from dev.stack.processes import InfrastructureError
from safetywatch.errors import SafetywatchError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dev.stack", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    broker = commands.add_parser("broker", help="the local single-node Kafka")
    broker.add_argument("action", choices=["fetch", "start", "stop", "status"])
    up = commands.add_parser("up", help="start the local stack in the background")
    up.add_argument("--demo", action="store_true", help="then post the sample scenario")
    up.add_argument(
        "--brokers",
        type=int,
        choices=[1, 3],
        default=1,
        help="a local Kafka of 1 node or a cluster of 3 (replication 3, min.insync.replicas 2)",
    )
    up.add_argument(
        "--secure",
        action="store_true",
        help="SASL_SSL with a SCRAM user per service and ACLs (certificates made in .run/kafka/secure)",
    )
    down = commands.add_parser("down", help="stop what up started")
    down.add_argument("--purge", action="store_true", help="also delete .run (Kafka log, state)")
    args = parser.parse_args(argv)
    try:
        return _run(args)
    except (InfrastructureError, SafetywatchError) as error:
        print(f"{args.command}: error: {error}", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace) -> int:
    from dev.settings import LocalSettings
    from dev.stack import broker as _broker
    from dev.stack import local as _stack
    from safetywatch.config import load_role

    if args.command == "up":
        return _stack.up(args.demo, args.brokers, args.secure)
    if args.command == "down":
        return _stack.down(args.purge)
    broker = _broker.Broker.from_settings(load_role(LocalSettings))
    if args.action == "fetch":
        _broker.fetch(broker.cache)
    elif args.action == "start":
        broker.start()
    elif args.action == "stop":
        broker.stop()
    else:
        return 0 if broker.running_pid() is not None else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

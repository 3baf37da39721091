"""Threshold alerts: rule definitions and their pure evaluation against the ledger."""

from safetywatch.alerting.chain_alerts import ChainReport, LateStep, chain_report
from safetywatch.alerting.evaluate import evaluate
from safetywatch.alerting.rules import Rule
from safetywatch.alerting.states import AlertState, IncidentFacts

__all__ = [
    "AlertState",
    "ChainReport",
    "IncidentFacts",
    "LateStep",
    "Rule",
    "chain_report",
    "evaluate",
]

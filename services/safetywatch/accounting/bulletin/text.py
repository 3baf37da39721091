"""The bulletin's paragraphs in a language."""

from __future__ import annotations

from safetywatch.accounting.bulletin.chinese import Chinese
from safetywatch.accounting.bulletin.english import English
from safetywatch.accounting.bulletin.facts import BulletinFacts, Language


def bulletin_paragraphs(facts: BulletinFacts, language: Language) -> list[str]:
    writer = Chinese(facts) if language is Language.ZH else English(facts)
    return [paragraph for paragraph in writer.paragraphs() if paragraph]


def bulletin_text(facts: BulletinFacts, language: Language) -> str:
    """The paragraphs, one per line."""
    return "\n".join(bulletin_paragraphs(facts, language))

"""A seeded, realistic stream of stamped records: 5 categories, the four counties,
about 10% of incidents revised and 1% retracted, occurrences over the last two years."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta

from safetywatch.events import Category

COUNTIES = ("520201", "520203", "520204", "520281")
CATEGORY_WEIGHTS = {
    Category.ROAD_TRAFFIC: 60,
    Category.COAL_MINE: 10,
    Category.GEOLOGICAL_HAZARD: 10,
    Category.FOREST_FIRE: 5,
    Category.OTHER: 15,
}


def realistic_records(
    count: int,
    seed: int = 7,
    now: datetime | None = None,
    tag: str = "W",
    counties: Sequence[str] = COUNTIES,
) -> Iterator[tuple[bytes, bytes]]:
    """``count`` (key, value) pairs as the gateway would have written them, in the
    given counties (the default area's four unless told)."""
    rng = random.Random(seed)
    now = now or datetime.now(UTC)
    categories = list(CATEGORY_WEIGHTS)
    weights = list(CATEGORY_WEIGHTS.values())
    produced = 0
    serial = 0
    while produced < count:
        serial += 1
        county = rng.choice(counties)
        incident_id = f"{county}-{tag}{serial}"
        category = rng.choices(categories, weights)[0]
        occurred = now - timedelta(seconds=rng.randrange(2 * 365 * 86400))
        document: dict[str, object] = {
            "incident_id": incident_id,
            "revision": 1,
            "category": category.value,
            "region_code": county,
            "occurred_at": occurred.isoformat(),
            "serious_injuries": rng.choices([0, 1, 4, 10], [70, 20, 8, 2])[0],
            "minor_injuries": rng.randrange(4),
            "direct_loss_yuan": round(rng.random() * rng.choice([1e4, 1e6, 2e7]), 2),
            "burned_area_ha": round(rng.random() * 20, 1)
            if category is Category.FOREST_FIRE
            else 0,
            "evacuated": rng.choice([None, 0, 120, 650]),
            "unit_id": f"unit-{county}",
        }
        deaths = rng.choices([0, 1, 2, 3, 5, 12], [70, 15, 6, 5, 3, 1])[0]
        revisions = 1 + (rng.random() < 0.10) * rng.randint(1, 2)
        for revision in range(1, revisions + 1):
            if produced >= count:
                return
            delay = timedelta(minutes=rng.choice([5, 30, 50, 90])) + timedelta(days=revision - 1)
            document.update(
                revision=revision,
                received_at=(occurred + delay).isoformat(),
                retracted=revision > 1 and rng.random() < 0.1,
            )
            if revision > 1:
                deaths += rng.randint(0, 2)  # supplementary reports raise the toll
            document["deaths"] = deaths
            yield incident_id.encode(), json.dumps(document, ensure_ascii=False).encode()
            produced += 1

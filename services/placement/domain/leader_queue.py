"""What an office leader should see of placement's work (issue 15, the leader's queue): a placement whose soft
rules were set aside with a written justification, and a placement or extension whose period takes a family
with children or a young person past three months (BRIEF §4: only exceptionally, never beyond). Each item stays
in the queue until a leader of the office marks it as seen. Imported history is not case work and is left out.
Pure: the items of one stay, from the stay and its latest extension."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from services.placement.domain.matching import ADEQUACY
from services.placement.domain.model import Stay, family_past_three_months

RULES_NB = {"no_agreement": "Plassert uten gyldig avtale", "inspection": "Tilsyn mangler eller er forfalt",
            "other_municipality": "Plassert utenfor kommunen",
            **{code: f"Mangler {label} (forsvarlighet)" for code, label in ADEQUACY}}
FAMILY_PAST_THREE_MONTHS_NB = "Barnefamilie eller ung person: perioden går ut over tre måneder"


@dataclass(frozen=True)
class LatestExtension:
    id: UUID
    extended_on: date


@dataclass(frozen=True)
class QueueItem:
    item_id: UUID  # the stay (a placement) or the extension: what a leader marks as seen
    kind: str  # placement | extension
    stay: Stay
    at: date
    reasons: tuple[str, ...]


def items_of(stay: Stay, latest: LatestExtension | None) -> list[QueueItem]:
    """The stay's placement when it was justified (or, never extended, takes a family past three months), and
    its latest extension when that does. The stay's warnings are those of its latest period."""
    family = family_past_three_months(stay.warnings)
    items = []
    placement_reasons = [RULES_NB.get(code, code) for code in stay.justified_rules] if stay.justification else []
    if family and latest is None:
        placement_reasons.append(FAMILY_PAST_THREE_MONTHS_NB)
    if placement_reasons or stay.justification:
        items.append(QueueItem(stay.id, "placement", stay, stay.check_in,
                               tuple(placement_reasons) or ("Plasseringen er begrunnet",)))
    if family and latest is not None:
        items.append(QueueItem(latest.id, "extension", stay, latest.extended_on, (FAMILY_PAST_THREE_MONTHS_NB,)))
    return items

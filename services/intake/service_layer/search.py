"""Finding a household from the search box (domain/search.py says what a query is and what matches it).

Names are encrypted at rest with Fernet, whose ciphertext of a name is new every time, so the database cannot
compare names. The search therefore decrypts the names of the office's own households here and matches them in
memory (an office has at most a few thousand; bench/RESULTS.md has the time): no further form of a name is
stored, any part of a name is found, and key rotation needs nothing new. An identity number is found by its
keyed hash as in the lookup, a reference by its row. Only the households whose current office is the actor's
are searched, and every search is audited: one entry per household shown, or one without a household when
none is."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from kit import clock
from services.intake.adapters.queries import Person
from services.intake.domain import model, search
from services.intake.domain.commands import SearchHouseholds
from services.intake.domain.errors import Forbidden
from services.intake.domain.identity import parse_identity_number
from services.intake.service_layer.unit_of_work import IntakeUnitOfWork

Now = Callable[[], datetime]


@dataclass(frozen=True)
class Found:
    query: search.Query
    people: list[Person]
    more: bool  # more matched than are shown: the user should narrow the search


async def search_households(cmd: SearchHouseholds, uow: IntakeUnitOfWork, *, allow_synthetic: bool,
                            now: Now = clock.now) -> Found:
    at = now()
    if not cmd.actor.office_id:
        raise Forbidden("Søk etter husstander gjøres ved et Nav-kontor.")
    purpose = model.check_purpose(cmd.purpose)
    query = search.parse_query(cmd.query)
    office_id = cmd.actor.office_id
    if query.kind == "identity":
        number = parse_identity_number(query.text, allow_synthetic=allow_synthetic, today=clock.today(at))
        household = await uow.repo.household_by_identity(number.number)
        people = (await uow.queries.office_people(office_id, household_id=household.id)
                  if household is not None and household.office_id == office_id else [])
    elif query.kind == "reference":
        people = await uow.queries.office_people(office_id, reference=query.text)
    else:
        people = sorted((p for p in await uow.queries.office_people(office_id) if search.name_matches(query, p.name)),
                        key=lambda p: search.rank(query, p.name))
    shown = people[:search.MOST_SHOWN]
    await uow.repo.add_audits([
        model.AuditEntry.of(cmd.actor, office_id=office_id, household_id=p.household_id, action="find",
                            purpose=purpose, at=at) for p in shown]
        or [model.AuditEntry.of(cmd.actor, office_id=office_id, household_id=None, action="find", purpose=purpose,
                                at=at)])
    return Found(query, shown, len(people) > len(shown))


HANDLERS = {SearchHouseholds: search_households}

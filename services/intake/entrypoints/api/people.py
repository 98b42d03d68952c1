"""Who households are, for the other services' pages and documents: they ask at render time on behalf of the
logged-in user (with the user's token), or a service for an office (billing's requisitions). Intake checks the
access, audits every household it names, and the asker stores nothing."""

from fastapi import APIRouter

from services.intake.domain.commands import ViewPeople
from services.intake.entrypoints.deps import Bus, PeopleAsker, asker_of
from services.intake.entrypoints.schemas import PeopleIn, PeopleOut, PersonOut

router = APIRouter(prefix="/api/people", tags=["people"])


@router.post("", response_model=PeopleOut)
async def post_people(body: PeopleIn, user: PeopleAsker, bus: Bus):
    """Name, birth date and the office's own reference of the households the caller's office may see (its own,
    and those it worked with before a transfer); the others are listed in `not_shown`, unknown and another
    office's alike. Each one named is recorded in the audit log with `purpose`."""
    people = await bus.handle(ViewPeople(asker_of(user, body.on_behalf_of), tuple(body.household_ids),
                                         body.purpose))
    shown = {p.household_id for p in people}
    return PeopleOut(people=[PersonOut(household_id=p.household_id, name=p.name, birth_date=p.birth_date,
                                       reference=p.reference) for p in people],
                     not_shown=[h for h in dict.fromkeys(body.household_ids) if h not in shown])

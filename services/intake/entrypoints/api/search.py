"""Finding the office's households by name, identity number or the office's reference: a POST, so that what is
searched for never goes in a URL. Every search is audited (service_layer/search.py)."""

from fastapi import APIRouter

from services.intake.domain.commands import SearchHouseholds
from services.intake.domain.search import SEARCH_PURPOSE
from services.intake.entrypoints.deps import Bus, Worker, actor_of
from services.intake.entrypoints.schemas import PersonOut, SearchIn, SearchOut

router = APIRouter(prefix="/api/households", tags=["households"])


@router.post("/search", response_model=SearchOut)
async def post_search(body: SearchIn, user: Worker, bus: Bus):
    """The office's households whose name has every word of `q` as the start of a word (any order, no matter
    case or accents), or whose identity number or office reference is `q`. Only the caller's office's
    households; each one shown is recorded in the audit log (purpose «Søk»)."""
    found = await bus.handle(SearchHouseholds(actor_of(user), body.q, SEARCH_PURPOSE))
    return SearchOut(kind=found.query.kind, more=found.more,
                     people=[PersonOut(household_id=p.household_id, name=p.name, birth_date=p.birth_date,
                                       reference=p.reference) for p in found.people])

"""The KOSTRA report through the real projection: wire events → translation → handlers (inbox) →
PostgreSQL → report, for random stay histories delivered shuffled, twice, late and in random batches;
compared with the plain reference computation."""

import asyncio
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import NAMESPACE_OID, uuid5

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts import Envelope, HouseholdFacts, HouseholdMovedOut, HouseholdPlaced, StayExtended
from kit.unit_of_work import shared_transaction
from services.stats.domain.kostra import KostraRules
from services.stats.entrypoints.kafka import to_command
from services.stats.service_layer.views import Area, StatsViews
from tests.stats.db import empty, new_database, stats_parts
from tests.stats.reference import YEARS, histories, reference_kostra

pytestmark = pytest.mark.integration
RULES = KostraRules()


@pytest.fixture(scope="module")
def database(pg_url):
    return asyncio.run(new_database(pg_url))


def wire_events(stays, districts):
    """The events placement would publish for these stays."""
    out = []
    for i, (stay, district) in enumerate(zip(stays, districts, strict=True)):
        stay_id = uuid5(NAMESPACE_OID, f"stay-{i}")
        facts = HouseholdFacts(applicant_birth_date=stay.applicant_birth_date,
                               children_birth_dates=list(stay.children_birth_dates))
        out.append(HouseholdPlaced(
            stay_id=stay_id, household_id=stay.household_id, decision_id=uuid5(NAMESPACE_OID, f"d-{i}"),
            office_id="nav-grunerlokka", municipality="0301", district=district,
            provider_id=uuid5(NAMESPACE_OID, "p"), provider_name="Tilbyder", provider_orgnr="974760673",
            unit_id=uuid5(NAMESPACE_OID, "u"), accommodation=stay.accommodation, agreement_kind="framework",
            price_per_night=Decimal("500"), check_in=stay.check_in, authorised_to=stay.check_in + timedelta(days=30),
            household=facts))
        out.append(StayExtended(stay_id=stay_id, household_id=stay.household_id,
                                decision_id=uuid5(NAMESPACE_OID, f"e-{i}"),
                                authorised_to=stay.check_in + timedelta(days=90), extended_at=datetime.now(UTC)))
        if stay.check_out is not None:
            out.append(HouseholdMovedOut(stay_id=stay_id, household_id=stay.household_id, check_out=stay.check_out,
                                         destination="private_rental"))
    return [Envelope.wrap(e, source="/botilbud/placement", correlation_id="t") for e in out]


@st.composite
def deliveries(draw):
    year = draw(YEARS)
    stays = draw(histories(year, max_households=5))
    districts = draw(st.lists(st.sampled_from(["Grünerløkka", "Sagene"]), min_size=len(stays),
                              max_size=len(stays)))
    today = date(year, 1, 1) + timedelta(days=draw(st.integers(-30, 400)))
    rnd = draw(st.randoms(use_true_random=False))
    batch = draw(st.integers(1, 7))
    return year, stays, districts, today, rnd, batch


async def _run(url, year, stays, districts, today, rnd, batch):
    pool, bus, queries = await stats_parts(url)
    try:
        await empty(pool)
        envelopes = wire_events(stays, districts)
        delivered = envelopes + rnd.sample(envelopes, k=len(envelopes) // 2)  # some twice
        rnd.shuffle(delivered)  # moved-out before placed, extensions first …
        for i in range(0, len(delivered), batch):
            async with shared_transaction():  # a batch in one transaction, as the live consumer takes them
                for e in delivered[i:i + batch]:
                    await bus.handle(to_command(e), event_id=e.id)
        # A redelivery of everything changes nothing.
        assert [await bus.handle(to_command(e), event_id=e.id) for e in envelopes] == [None] * len(envelopes)
        views = StatsViews(queries, RULES, today=lambda: today)
        whole = await views.kostra(Area(year, "0301"))
        part = await views.kostra(Area(year, "0301", "Sagene"))
        other = await views.kostra(Area(year, "1103"))
    finally:
        await pool.close()
    return whole, part, other


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(deliveries())
def test_kostra_through_the_projection_matches_the_reference(database, case):
    year, stays, districts, today, rnd, batch = case
    whole, part, other = asyncio.run(_run(database, year, stays, districts, today, rnd, batch))
    assert whole == reference_kostra(stays, year, today, RULES)
    sagene = [s for s, d in zip(stays, districts, strict=True) if d == "Sagene"]
    assert part == reference_kostra(sagene, year, today, RULES)
    assert set(other.values()) == {0}

from __future__ import annotations

from datetime import date

import asyncpg

from services.stats.domain.commands import RecordStayEnded, RecordStayStarted
from services.stats.domain.kostra import StayFacts


class StatsRepository:
    def __init__(self, conn: asyncpg.Connection):
        self.conn = conn

    async def stay_started(self, c: RecordStayStarted) -> None:
        # An end seen before its start (e.g. during a rebuild) is kept: the start only fills in the rest.
        await self.conn.execute(
            "INSERT INTO stays (stay_id, household_id, office_id, municipality, district, accommodation, "
            "agreement_kind, provider_id, check_in, applicant_birth_date, children_birth_dates) "
            "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) ON CONFLICT (stay_id) DO UPDATE SET "
            "household_id = EXCLUDED.household_id, office_id = EXCLUDED.office_id, "
            "municipality = EXCLUDED.municipality, district = EXCLUDED.district, "
            "accommodation = EXCLUDED.accommodation, agreement_kind = EXCLUDED.agreement_kind, "
            "provider_id = EXCLUDED.provider_id, check_in = EXCLUDED.check_in, "
            "applicant_birth_date = EXCLUDED.applicant_birth_date, "
            "children_birth_dates = EXCLUDED.children_birth_dates",
            c.stay_id, c.household_id, c.office_id, c.municipality, c.district, c.accommodation,
            c.agreement_kind, c.provider_id, c.check_in, c.applicant_birth_date, list(c.children_birth_dates))

    async def stay_ended(self, c: RecordStayEnded) -> None:
        await self.conn.execute(
            "INSERT INTO stays (stay_id, household_id, check_out, destination) VALUES ($1,$2,$3,$4) "
            "ON CONFLICT (stay_id) DO UPDATE SET check_out = EXCLUDED.check_out, "
            "destination = EXCLUDED.destination",
            c.stay_id, c.household_id, c.check_out, c.destination)

    async def stays_for_kostra(self, municipality: str, district: str | None, year: int) -> list[StayFacts]:
        rows = await self.conn.fetch(
            "SELECT household_id, accommodation, check_in, check_out, applicant_birth_date, children_birth_dates "
            "FROM stays WHERE municipality = $1 AND ($2::text IS NULL OR district = $2) AND check_in IS NOT NULL "
            "AND check_in < $4 AND (check_out IS NULL OR check_out > $3)",
            municipality, district, date(year, 1, 1), date(year + 1, 1, 1))
        return [StayFacts(r["household_id"], r["accommodation"], r["check_in"], r["check_out"],
                          r["applicant_birth_date"], tuple(r["children_birth_dates"] or ())) for r in rows]

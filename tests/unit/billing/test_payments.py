"""Payment exports in the domain: the period's rules and what an export pays (credit notes negative)."""

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import uuid4

import pytest

from services.billing.domain.errors import Conflict, RuleBroken
from services.billing.domain.payments import DueLine, check_period, new_export, total_of

TODAY = date(2026, 12, 1)


def line(amount: str, kind: str = "invoice", nights: int = 1) -> DueLine:
    return DueLine(uuid4(), 1, kind, Decimal(amount), payable_nights=nights)


@pytest.mark.parametrize(("period", "field"), [
    ((date(2026, 12, 2), date(2026, 12, 1)), "period_from"),  # from after to
    ((date(2026, 11, 1), date(2026, 12, 2)), "period_to"),  # ends tomorrow
    ((date(1999, 12, 31), date(2026, 1, 1)), "period_from"),
])
def test_a_period_runs_forward_and_ends_today_at_the_latest(period, field):
    with pytest.raises(RuleBroken) as refused:
        check_period(*period, TODAY)
    assert refused.value.field == field


def test_a_one_day_period_ending_today_is_good():
    check_period(TODAY, TODAY, TODAY)


def test_credit_notes_count_against_the_sum():
    lines = [line("1650.00", nights=2), line("-825.00", "credit_note"), line("0.50")]
    assert total_of(lines) == Decimal("825.50")
    assert [x.nights for x in lines] == [2, -1, 1]
    export = new_export(export_id=uuid4(), lines=lines, period_from=date(2026, 11, 1), period_to=TODAY,
                        today=TODAY, by="okonomi", by_name=None, at=datetime(2026, 12, 1, 9, tzinfo=UTC))
    assert (export.lines, export.total) == (3, Decimal("825.50"))


def test_an_export_with_nothing_new_is_refused():
    with pytest.raises(Conflict):
        new_export(export_id=uuid4(), lines=[], period_from=TODAY, period_to=TODAY, today=TODAY, by="okonomi",
                   by_name=None, at=datetime(2026, 12, 1, 9, tzinfo=UTC))

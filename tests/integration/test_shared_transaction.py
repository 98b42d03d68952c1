"""A consumer's batch on a real database: the units of work opened in one shared transaction each run as a
savepoint — one that rolls back (a redelivered event, a refused one) undoes only itself — and the batch is kept
or lost as a whole: nothing of it is visible to others before it commits, and a failure keeps nothing."""

import uuid

import pytest

from kit.unit_of_work import UnitOfWork, shared_transaction
from tests.conftest import kit_database

pytestmark = pytest.mark.integration


@pytest.fixture
async def pool(pg_url):
    pool = await kit_database(pg_url, "shared")
    yield pool
    await pool.close()


async def handle(pool, event_id: uuid.UUID, *, refuse: bool = False) -> bool:
    """An event handler as the services write them: claim the event in the inbox, then commit (or not)."""
    async with UnitOfWork(pool, service="sharedtest", translate=lambda e: []) as uow:
        if not await uow.claim_event("sharedtest", event_id) or refuse:
            return False  # leaves without commit: rolled back
        await uow.commit()
        return True


async def claimed(pool) -> set[uuid.UUID]:
    return {r[0] for r in await pool.fetch("SELECT event_id FROM inbox WHERE consumer = 'sharedtest'")}


async def test_a_batch_commits_once_and_a_rolled_back_unit_undoes_only_itself(pool):
    a, b, c = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    async with shared_transaction():
        assert await handle(pool, a)
        assert not await handle(pool, b, refuse=True)
        assert not await handle(pool, a)  # the same event again in the batch: the inbox already has it
        assert await handle(pool, c)
        assert await claimed(pool) == set()  # another connection sees nothing before the batch commits
    assert await claimed(pool) == {a, c}
    assert pool.get_idle_size() == pool.get_size()  # the batch's connection went back to the pool


async def test_a_failing_batch_keeps_nothing(pool):
    a, b = uuid.uuid4(), uuid.uuid4()
    with pytest.raises(RuntimeError, match="handler broke"):
        async with shared_transaction():
            assert await handle(pool, a)
            assert await handle(pool, b)
            raise RuntimeError("handler broke")
    assert await claimed(pool) == set()
    assert await handle(pool, a)  # handled again one by one afterwards: nothing stands in the way
    assert await claimed(pool) == {a}


async def test_units_of_work_outside_a_batch_are_their_own_transactions(pool):
    a = uuid.uuid4()
    assert await handle(pool, a)
    assert await claimed(pool) == {a}

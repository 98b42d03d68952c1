"""The live views' data: three months, families and young people, outside agreement, inspections due."""

from __future__ import annotations

from fastapi import APIRouter

from services.placement.entrypoints.answers import ViewsOut
from services.placement.entrypoints.deps import WORKERS, Queries, Today, Viewer
from services.placement.service_layer import views

router = APIRouter(prefix="/api", tags=["live views"])


@router.get("/views", response_model=ViewsOut)
async def live_views(user: Viewer, queries: Queries, today: Today):
    """Households near or past three months, families and young people now, stays outside agreements,
    inspections due. Case workers and office leaders see their own office's stays (with the justifications
    written there); other roles every office's, without the text."""
    worker = user.role in WORKERS
    found = await views.live_views(queries, office_id=user.office_id if worker else None, today=today)
    return ViewsOut.of(found, show_text=worker)

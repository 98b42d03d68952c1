"""Billing's HTTP API and pages."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse

from botilbud.kit.auth import Role, User, api_user, page_user, require_role
from botilbud.kit.web import templates

READERS = (Role.CASE_WORKER, Role.OFFICE_LEADER, Role.FINANCE)


def create_app(uow_factory) -> FastAPI:
    app = FastAPI(title="Botilbud billing", version="1", description="Rekvisisjoner og fakturaer.")
    pages = templates(Path(__file__).parent / "templates")

    async def visible_requisitions(user: User):
        require_role(user, *READERS)
        async with uow_factory() as uow:
            # Case workers and leaders see their own office's; finance sees all.
            return await uow.repo.list(user.office_id if user.role != Role.FINANCE else None)

    @app.get("/api/requisitions", tags=["requisitions"])
    async def list_requisitions(user: User = Depends(api_user)):
        return [{**asdict(r), "nights": r.nights, "max_amount": r.max_amount}
                for r in await visible_requisitions(user)]

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def requisitions_page(request: Request, user: User = Depends(page_user)):
        return pages.TemplateResponse(request, "requisitions.html",
                                      {"user": user, "requisitions": await visible_requisitions(user)})

    return app

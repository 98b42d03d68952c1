"""The reference data's providers (demo/reference.json) as placement's aggregates. Pure: the caller reads the
file and stores what comes back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from services.placement.domain.providers import Agreement, Inspection, Limits, Provider, Unit, new_provider, new_unit


@dataclass(frozen=True)
class ReferenceProvider:
    provider: Provider
    inspection: Inspection | None
    units: list[Unit]


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def providers(reference: dict) -> list[ReferenceProvider]:
    """Every provider with its latest inspection and its units, each unit line with `count` expanded into that
    many units ("Hybler 1–54 – 7")."""
    out = []
    for p in reference["providers"]:
        a, lim = p["agreement"], p.get("limits") or {}
        price = a.get("price_per_night_nok")
        provider = new_provider(
            name=p["name"], orgnr=p["orgnr"], kind=p["kind"], municipality=p["municipality"],
            district=p.get("district"), address=p.get("address", ""), accommodation=p["accommodation"],
            agreement=Agreement(a["kind"], Decimal(str(price)) if price is not None else None,
                                int(a.get("fixed_places", 0)), _day(a.get("valid_from")), _day(a.get("valid_to")),
                                tuple(a.get("target_groups", ()))),
            limits=Limits(lim.get("sex"), lim.get("min_age"), lim.get("max_age"), bool(lim.get("substance_free"))),
            slug=p["id"])
        inspection = None
        if i := p.get("inspection"):
            inspection = Inspection(date.fromisoformat(i["date"]), i["result"], date.fromisoformat(i["next_due"]),
                                    {k: v for k, v in i.items() if k not in ("date", "result", "next_due", "source")})
            provider.inspection = inspection
        units = []
        for line in p["units"]:
            count = int(line.get("count", 1))
            facilities = {k: v for k, v in line.get("facilities", {}).items() if k != "source"}
            for n in range(1, count + 1):
                units.append(new_unit(provider, name=line["name"] if count == 1 else f"{line['name']} – {n}",
                                      beds=int(line["beds"]), address=line.get("address"), facilities=facilities,
                                      slug=line.get("id") if count == 1 else f"{line.get('id')}-{n}"))
        out.append(ReferenceProvider(provider, inspection, units))
    return out

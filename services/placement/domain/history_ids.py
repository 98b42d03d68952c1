"""The ids of imported history: uuid5 names under a fixed namespace, so the same row always gives the same stay,
decision and events, and a second import of the same file writes nothing:
- the stay id from (`household_ref`, `municipality`, `provider`, `check_in`), the format's identity of a row;
- the pseudonymous household id from (`municipality`, `office`, `household_ref`): `household_ref` is an office
  reference, never an identity number, and the same reference at two offices is two households;
- imported stays have no decision from intake: placement records a synthetic granted decision, id uuid5 of the
  stay id, marked `imported`."""

from __future__ import annotations

import unicodedata
from datetime import date
from functools import lru_cache
from uuid import UUID, uuid5

NAMESPACE = UUID("6f1d3f9e-4a8e-5b7c-9d2e-b0711b0d0001")  # fixed: never change it, ids depend on it


@lru_cache(maxsize=4096)  # the same office and provider names on thousands of rows
def key(text: str) -> str:
    """A name for comparison: Unicode-normalised, case-folded, single spaces."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def stay_id(household_ref: str, municipality: str, provider: str, check_in: date) -> UUID:
    return uuid5(NAMESPACE, "stay|" + "|".join((household_ref.strip(), municipality, key(provider),
                                                check_in.isoformat())))


def household_id(municipality: str, office: str, household_ref: str) -> UUID:
    return uuid5(NAMESPACE, "household|" + "|".join((municipality, key(office), household_ref.strip())))


def decision_id(stay: UUID) -> UUID:
    return uuid5(NAMESPACE, f"decision|{stay}")


def event_id(stay: UUID, kind: str) -> UUID:
    """The envelope id of an imported stay's event (`placed`, `moved-out`, `capacity`)."""
    return uuid5(NAMESPACE, f"event|{kind}|{stay}")

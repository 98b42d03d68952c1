"""Finding a household from one search box: by identity number (eleven digits), by the office's own reference
(`2026-0042`) or by name. Pure: what the query is, and whether a name matches it.

A name matches when every word of the query begins a word of the name, in any order, without regard to case
or accents ("ola nord" finds "Ola Nordmann", "hakon" finds "Håkon"); æ and ø stay themselves."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from services.intake.domain.errors import RuleBroken

QUERY_MAX = 100
NAME_MIN = 2
MOST_SHOWN = 50
SEARCH_PURPOSE = "Søk"

_REFERENCE = re.compile(r"\d{4}-\d{4,6}")
_IDENTITY = re.compile(r"\d{6}\s?\d{5}")
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
EMPTY_NB = "Skriv et navn, et fødselsnummer eller husstandens referanse (for eksempel 2026-0042)."
TOO_LONG_NB = f"Søket er for langt: høyst {QUERY_MAX} tegn."
CONTROL_NB = "Søket inneholder tegn som ikke kan brukes (kontrolltegn). Skriv det på nytt."
TOO_SHORT_NB = f"Skriv minst {NAME_MIN} bokstaver av navnet."
NO_WORDS_NB = "Søket må inneholde et navn (bokstaver), et fødselsnummer eller en referanse."


@dataclass(frozen=True)
class Query:
    kind: str  # identity | reference | name
    text: str = ""  # the identity number (digits) or the reference as typed
    words: tuple[str, ...] = ()  # a name's words, folded


def fold(text: str) -> str:
    """Lower case without accents: NFKD, marks dropped (å → a, é → e); æ, ø and ß have no marks to drop."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(fold(text)))


def parse_query(raw: str | None) -> Query:
    """What the user is looking for, or RuleBroken naming `q` with a Norwegian message."""
    text = (raw or "").strip()
    if not text:
        raise RuleBroken(EMPTY_NB, "q")
    if len(text) > QUERY_MAX:
        raise RuleBroken(TOO_LONG_NB, "q")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") for ch in text):
        raise RuleBroken(CONTROL_NB, "q")
    if _IDENTITY.fullmatch(text):
        return Query("identity", text.replace(" ", ""))
    if _REFERENCE.fullmatch(text):
        return Query("reference", text)
    found = words(text)
    if not found:
        raise RuleBroken(NO_WORDS_NB, "q")
    if sum(len(w) for w in found) < NAME_MIN:
        raise RuleBroken(TOO_SHORT_NB, "q")
    return Query("name", words=found)


def name_matches(query: Query, name: str) -> bool:
    """Every word of the query begins some word of the name."""
    name_words = words(name)
    return all(any(w.startswith(q) for w in name_words) for q in query.words)


def rank(query: Query, name: str) -> tuple[int, str]:
    """Names with every query word whole first, then alphabetically."""
    name_words = set(words(name))
    return (sum(q not in name_words for q in query.words), fold(name))

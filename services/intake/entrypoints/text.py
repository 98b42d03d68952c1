"""Bounded, clean text for every string intake accepts: a length limit, and no control characters (NUL and
the rest of C0 and C1), no lone surrogates (which a JSON string may smuggle in as `\\ud800` and no database
or encryption can hold). Tab and line breaks are allowed in free text only. Each refusal names its field
(the error's `loc`) and says what is wrong in Norwegian."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Query
from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_BREAKS = re.compile(r"[\t\n\r]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _clean(value: str, *, free_text: bool) -> str:
    if _SURROGATE.search(value):
        raise PydanticCustomError("surrogate", "Teksten har et ugyldig tegn (en halv Unicode-surrogat). "
                                               "Skriv den inn på nytt.")
    if _CONTROL.search(value):
        raise PydanticCustomError("control_character", "Teksten kan ikke inneholde kontrolltegn (som NUL).")
    if not free_text and _BREAKS.search(value):
        raise PydanticCustomError("line_break", "Feltet må stå på én linje: uten linjeskift og tabulator.")
    return value


def single_line(value: str) -> str:
    return _clean(value, free_text=False)


def free_text(value: str) -> str:
    return _clean(value, free_text=True)


def Line(max_length: int, min_length: int = 0):  # a type: `name: Line(200)`
    """A one-line string of at most `max_length` characters."""
    return Annotated[str, Field(min_length=min_length, max_length=max_length), AfterValidator(single_line)]


def Text(max_length: int):  # a type: `notes: Text(4000)`
    """Free text (tab and line breaks allowed) of at most `max_length` characters."""
    return Annotated[str, Field(max_length=max_length), AfterValidator(free_text)]


PurposeQuery = Annotated[str, Query(min_length=1, max_length=200, description="Why the person's data is viewed "
                                    "(audit log)."), AfterValidator(single_line)]

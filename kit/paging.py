"""Lists that scale: one page of a list, its total, and the sort order, done in SQL.

The names in the address:

| meaning        | API (English) | page (Norwegian) |
|----------------|---------------|------------------|
| page number    | `page`        | `side`           |
| rows per page  | `page_size`   | `per_side`       |
| sort key       | `sort`        | `sorter`         |

`page` counts from 1; `page_size` is 1–200, 50 when not given. A sort key is one of the list's whitelisted
keys, `-key` for descending; anything else is refused (422: a problem on an API route, the Norwegian error page
on a page route, both through kit/problems.py). A page past the last is not an error: it comes back empty with
the right total, so that a link to it from a list that has since shrunk still says how many there are.

A sort key never reaches SQL: `order_by` looks it up in the list's own table of constant SQL expressions."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any, Generic, Literal, Protocol, TypeVar
from urllib.parse import urlencode

from fastapi import Query
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, BeforeValidator, StringConstraints

T = TypeVar("T")
U = TypeVar("U")

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
UNKNOWN_SORT_NB = "Ukjent sortering."


@dataclass(frozen=True)
class ParamNames:
    page: str
    page_size: str
    sort: str


API_NAMES = ParamNames("page", "page_size", "sort")
PAGE_NAMES = ParamNames("side", "per_side", "sorter")


def order_by(sort: str, columns: Mapping[str, str | tuple[str, ...]], tiebreak: str) -> str:
    """The ORDER BY clause for `sort` (`key` or `-key`): the key's constant SQL expression (or expressions, each
    in the same direction but one written `-expression`, which goes the other way) from `columns`, then
    `tiebreak` (a unique column, so that pages never overlap). KeyError for a key not in `columns`."""
    descending = sort.startswith("-")
    expression = columns[sort.removeprefix("-")]
    direction = "DESC" if descending else "ASC"
    other = "ASC" if descending else "DESC"
    parts = (expression,) if isinstance(expression, str) else tuple(expression)
    return ", ".join([*(f"{e.removeprefix('-')} {other if e.startswith('-') else direction} NULLS LAST"
                        for e in parts), f"{tiebreak} {direction}"])


def natural(column: str) -> tuple[str, str, str]:
    """A name's order as people read it, «Rom 2» before «Rom 10»: the text before a closing number, then that
    number, then the name itself (the database's collation alone would put 10 before 2)."""
    return (f"regexp_replace({column}, '[0-9]+\\s*$', '')", f"substring({column} from '([0-9]+)\\s*$')::numeric",
            column)


@dataclass(frozen=True)
class Sorting:
    """A list's sort keys (key → a constant SQL expression), its default (`key` or `-key`) and its tiebreak."""

    columns: Mapping[str, str | tuple[str, ...]]
    default: str
    tiebreak: str

    def __post_init__(self) -> None:
        if not self.knows(self.default):
            raise ValueError(f"default sort {self.default!r} is not one of the keys")

    def knows(self, sort: str) -> bool:
        return sort.removeprefix("-") in self.columns

    def sql(self, sort: str | None) -> str:
        return order_by(sort or self.default, self.columns, self.tiebreak)


@dataclass(frozen=True)
class Paging:
    """Which page of a list is asked for, how many rows a page has, and in which order."""

    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    sort: str = ""
    names: ParamNames = field(default=API_NAMES, compare=False)

    def __post_init__(self) -> None:
        if self.page < 1:
            raise ValueError("page counts from 1")
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size is 1–{MAX_PAGE_SIZE}")

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size

    @property
    def limit(self) -> int:
        return self.page_size

    @property
    def sort_key(self) -> str:
        return self.sort.removeprefix("-")

    @property
    def descending(self) -> bool:
        return self.sort.startswith("-")

    def aria_sort(self, key: str) -> str | None:
        """`ascending`/`descending` for the column the list is sorted by, None for the others."""
        if key != self.sort_key:
            return None
        return "descending" if self.descending else "ascending"

    def sort_toggle(self, key: str) -> str:
        """The sort a column header links to: the other direction when sorted by it, else ascending."""
        return key if self.sort == f"-{key}" else (f"-{key}" if self.sort == key else key)

    def query(self, filters: Mapping[str, Any] | Sequence[tuple[str, Any]], *, page: int | None = None,
              sort: str | None = None) -> str:
        """`?…` for a link to another page or order of the same list, keeping the filters (empty ones dropped)
        and the page size; a new sort starts again at page 1."""
        own = {self.names.page, self.names.page_size, self.names.sort}
        items = filters.items() if isinstance(filters, Mapping) else filters
        params = [(k, v) for k, v in items if k not in own and v not in (None, "")]
        if self.page_size != DEFAULT_PAGE_SIZE:
            params.append((self.names.page_size, self.page_size))
        params.append((self.names.sort, sort if sort is not None else self.sort))
        target = page if page is not None else (1 if sort is not None else self.page)
        if target != 1:
            params.append((self.names.page, target))
        return "?" + urlencode(params)


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its rows, how many there are in all (after the filters), and where it is."""

    items: list[T]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        """How many pages the list has; an empty list has one (empty) page."""
        return max(1, math.ceil(self.total / self.page_size))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def map(self, convert: Callable[[T], U]) -> Page[U]:
        return Page([convert(i) for i in self.items], self.total, self.page, self.page_size)

    @classmethod
    def of(cls, rows: Sequence[T], paging: Paging) -> Page[T]:
        """A page cut from a list already in memory (fakes, small lists)."""
        return cls(list(rows[paging.offset:paging.offset + paging.limit]), len(rows), paging.page, paging.page_size)


class PageOut(BaseModel, Generic[T]):
    """One page of an API list: `items`, the `total` after the filters, `page`, `page_size` and `pages`."""

    items: list[T]
    total: int
    page: int
    page_size: int
    pages: int

    @classmethod
    def of(cls, page: Page, convert: Callable[[Any], Any] = lambda x: x) -> PageOut:
        return cls(items=[convert(i) for i in page.items], total=page.total, page=page.page,
                   page_size=page.page_size, pages=page.pages)


class _Connection(Protocol):
    async def fetch(self, query: str, *args: Any) -> list: ...
    async def fetchval(self, query: str, *args: Any) -> Any: ...


async def fetch_page(conn: _Connection, select: str, from_where: str, args: Sequence[Any], order: str,
                     paging: Paging) -> tuple[list, int]:
    """The page's rows of `SELECT {select} {from_where} ORDER BY {order}` and the total, in one query (a count
    over the window; a second, counting query only for a page past the last). `select`, `from_where` and `order`
    are the caller's constants (values go in `args` as $1…); the rows carry an extra `_total` column."""
    n = len(args)
    rows = await conn.fetch(
        f"SELECT {select}, count(*) OVER () AS _total {from_where} "  # noqa: S608 - constants, values are $n
        f"ORDER BY {order} LIMIT ${n + 1} OFFSET ${n + 2}", *args, paging.limit, paging.offset)
    if rows:
        return rows, rows[0]["_total"]
    total = 0 if paging.page == 1 else await conn.fetchval(f"SELECT count(*) {from_where}", *args)  # noqa: S608
    return rows, total


def _blank_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


BlankIsNone = BeforeValidator(_blank_to_none)
"""For a list's filter in a GET form: a field left empty (`?status=`) means no filter, not a bad value."""

FilterDate = Annotated[date | None, BlankIsNone, Query()]
FilterBool = Annotated[bool | None, BlankIsNone, Query()]


def filter_text(max_length: int) -> Any:
    """A text filter of at most `max_length` characters (`?name=` left empty: no filter)."""
    return Annotated[Annotated[str, StringConstraints(max_length=max_length)] | None, BlankIsNone, Query()]


def filter_choice(*choices: str) -> Any:
    """One of `choices` (`?status=` left empty: no filter)."""
    return Annotated[Literal[choices] | None, BlankIsNone, Query()]  # type: ignore[valid-type]


def without_total(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in dict(row).items() if k != "_total"}


def paging_dependency(sorting: Sorting, *, page: bool = False) -> Callable[..., Paging]:
    """A FastAPI dependency reading the list's page, page size and sort (English names on an API route,
    Norwegian on a page: `page=True`); a bad value is a 422."""
    names = PAGE_NAMES if page else API_NAMES

    def paging(
        page_number: int = Query(1, ge=1, le=1_000_000, alias=names.page, description="Side, fra 1."),
        page_size: int = Query(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, alias=names.page_size,
                               description=f"Rader per side, 1–{MAX_PAGE_SIZE}."),
        sort: str | None = Query(None, max_length=40, alias=names.sort,
                                 description="Sorteringsnøkkel, `-nøkkel` for synkende: "
                                             + ", ".join(sorted(sorting.columns))),
    ) -> Paging:
        if sort and not sorting.knows(sort):
            raise RequestValidationError([{"type": "literal_error", "loc": ("query", names.sort),
                                           "msg": UNKNOWN_SORT_NB, "input": None,
                                           "ctx": {"expected": ", ".join(sorted(sorting.columns))}}])
        return Paging(page_number, page_size, sort or sorting.default, names)

    return paging

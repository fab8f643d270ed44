"""Structured logging: one JSON object per line in production, readable lines on a terminal.

Suivi's own loggers (structlog) and the standard library's (uvicorn, SQLAlchemy, asyncio) go
through one handler and one renderer, so every line carries the same fields: `timestamp`,
`level`, `logger`, `event` and, while a request is served, its `request_id`.
"""

import logging
import sys
from typing import Any, TextIO

import structlog


class _StderrHandler(logging.StreamHandler[TextIO]):
    """Writes each record to the current `sys.stderr`, so a replaced one (a test's) is used."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


# Marks a record whose message structlog already rendered into the whole line.
_RENDERED = "suivi_rendered"


def _rendered(_logger: Any, _method: str, line: Any) -> tuple[Any, ...]:
    # The last processor may hand the logger its (args, kwargs): the line, marked.
    return (line,), {"extra": {_RENDERED: True}}


class _Formatter(structlog.stdlib.ProcessorFormatter):
    """Writes structlog's lines as rendered, and renders the standard library's the same way."""

    def format(self, record: logging.LogRecord) -> str:
        if getattr(record, _RENDERED, False):
            return record.getMessage()
        return super().format(record)


def configure_logging(level: str = "info") -> None:
    """Route structlog and the standard library through one renderer at `level`."""
    numeric_level = logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    # Plain tracebacks only: a rich traceback prints local variables, which can hold
    # a confidential submitter's name.
    rendering: list[structlog.types.Processor] = (
        [structlog.dev.ConsoleRenderer(exception_formatter=structlog.dev.plain_traceback)]
        if sys.stderr.isatty()
        else [structlog.processors.format_exc_info, structlog.processors.JSONRenderer()]
    )
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            # Rendered here, once: the standard library's handler writes the line as it is
            # (about a third of an access-log line's cost was the formatter's second pass).
            *rendering,
            _rendered,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        # Configured again by each application a test builds: loggers must follow.
        cache_logger_on_first_use=False,
    )
    handler = _StderrHandler()
    handler.setFormatter(
        _Formatter(
            foreign_pre_chain=shared,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *rendering],
        )
    )
    # What no line carries, not collected for every record (the logging HOWTO's
    # "Optimization"): the caller's frame, thread and process.
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    root = logging.getLogger()
    # Called by the command and again by the application it serves: one handler, not two.
    for previous in [h for h in root.handlers if isinstance(h, _StderrHandler)]:
        root.removeHandler(previous)
    root.addHandler(handler)
    root.setLevel(numeric_level)
    # uvicorn's own access log names each client's address; api/access_log.py logs requests
    # without it. Off even when uvicorn is started without `--no-access-log`.
    logging.getLogger("uvicorn.access").disabled = True
    # httpx logs every URL it fetches, query string included (an import's source may carry a
    # token there): only its warnings are kept.
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(max(numeric_level, logging.WARNING))

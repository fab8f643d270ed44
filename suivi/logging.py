"""Structured logging: JSON lines in production, readable lines on a terminal."""

import logging
import sys

import structlog


def _stderr_logger(*_: object) -> structlog.PrintLogger:
    return structlog.PrintLogger(file=sys.stderr)


def configure_logging(level: str = "info") -> None:
    """Route structlog and the standard library through one renderer at `level`."""
    # Plain tracebacks only: a rich traceback prints local variables, which can hold
    # a confidential submitter's name.
    renderer: structlog.types.Processor = (
        structlog.dev.ConsoleRenderer(exception_formatter=structlog.dev.plain_traceback)
        if sys.stderr.isatty()
        else structlog.processors.JSONRenderer()
    )
    numeric_level = logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric_level),
        # Looked up at each call, so a replaced sys.stderr (a test's capture) is honoured.
        logger_factory=_stderr_logger,
        cache_logger_on_first_use=False,
    )
    logging.basicConfig(level=numeric_level, stream=sys.stderr, format="%(message)s")
    # uvicorn's own access log names each client's address; api/access_log.py logs requests
    # without it. Off even when uvicorn is started without `--no-access-log`.
    logging.getLogger("uvicorn.access").disabled = True

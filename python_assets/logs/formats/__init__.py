"""The log formats Flywheel reads: each module has `parse(path) -> Iterator[Event | Quarantined]`.

A format name in a log source's config picks the module; modules load on first use.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from pathlib import Path

from python_assets.logs.events import Event, Quarantined

Parser = Callable[[Path], Iterator[Event | Quarantined]]

FORMATS = {
    "openai_chat": "openai_chat",  # OpenAI chat messages, JSON or JSONL (ShareGPT conversations too)
    "anthropic": "anthropic",  # Anthropic Messages: text / tool_use / tool_result blocks
    "tau_bench": "trajectories",  # tau-bench historical trajectories
    "swe_agent": "trajectories",  # SWE-agent .traj files
    "app_log": "app_log",  # plain-text application logs (a configurable line grammar)
    "otel": "otel",  # OpenTelemetry GenAI spans, OTLP JSON
    "feedback": "feedback",  # thumbs, ratings and edits, JSONL
}


def parser(format_name: str) -> Parser:
    if format_name not in FORMATS:
        raise ValueError(f"unknown log format {format_name!r}; known: {', '.join(sorted(FORMATS))}")
    module = importlib.import_module(f"{__name__}.{FORMATS[format_name]}")
    return getattr(module, f"parse_{format_name}", None) or module.parse

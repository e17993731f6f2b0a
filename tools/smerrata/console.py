"""Progress and messages on stderr (rich), so stdout stays machine-readable."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

from rich.console import Console

console = Console(stderr=True, highlight=False)


@contextlib.contextmanager
def stage(name: str, timings: dict[str, float] | None = None) -> Iterator[None]:
    """Show a spinner for a long step and record its wall time."""
    started = time.monotonic()
    with console.status(f"[bold]{name}[/bold] ..."):
        try:
            yield
        finally:
            elapsed = time.monotonic() - started
            if timings is not None:
                timings[name] = round(elapsed, 2)
    console.print(f"[green]done[/green] {name} ({elapsed:.1f} s)")


def info(message: str) -> None:
    # Messages quote file contents (roff, m4) whose brackets are not rich markup.
    console.print(message, markup=False, soft_wrap=True)


def warn(message: str) -> None:
    console.print("[yellow]warning:[/yellow] ", end="")
    console.print(message, markup=False, soft_wrap=True)

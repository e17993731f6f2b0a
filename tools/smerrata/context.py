"""What every step needs: the checkout, the pins, the settings and the provider chain."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .config import Settings, repo_root
from .sources.chain import SourceChain
from .sources.pins import Pins, load_pins


@dataclass
class Context:
    root: Path
    settings: Settings

    @staticmethod
    def load() -> "Context":
        return Context(root=repo_root(), settings=Settings.load())

    @cached_property
    def pins(self) -> Pins:
        return load_pins(self.root / "upstream.toml")

    @cached_property
    def chain(self) -> SourceChain:
        return SourceChain(self.pins, self.settings)

    @property
    def spec_path(self) -> Path:
        return self.root / "sendmail.spec"

    @property
    def patches_dir(self) -> Path:
        return self.root / "patches"

    def results_dir(self, override: str | None = None) -> Path:
        return Path(override).resolve() if override else self.root / "results"

"""The exceptions visitrack raises, as one tree.

* VisitrackError        -- base: every error the library raises on purpose
  + ResourceError       -- a shipped model or data file is missing or broken
  + ConfigError         -- a setting (option, environment variable) that cannot work as given

Each carries the input it concerns and the stage, so a batch run can report it in one line.
"""

from __future__ import annotations


class VisitrackError(Exception):
    """Base class for every error visitrack raises on purpose."""

    def __init__(self, message: str, *, source: str | None = None, stage: str | None = None):
        super().__init__(message)
        self.message = message
        self.source = source
        self.stage = stage

    def __str__(self) -> str:
        return f"{self.source}: {self.message}" if self.source else self.message


class ResourceError(VisitrackError):
    """A model or data file that visitrack ships or depends on is missing or broken."""


class ConfigError(VisitrackError):
    """A setting (an option, an environment variable) that cannot work as given."""

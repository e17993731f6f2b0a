"""User-facing failures and their exit codes.

Every error a user can fix is a PipelineError: the CLI prints its one-line message and exits with
its code; tracebacks are shown only with --debug.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    INTERNAL = 1
    USAGE = 2
    VERIFY = 3  # checksum, size, top directory or tree id mismatch
    NOT_FOUND = 4  # no configured provider has an input
    CONFLICT = 5  # the backport cannot be placed on the base tree
    BUILD = 6  # rpmbuild/mock/compile failed
    LINT = 7  # rpmlint reported errors
    DRIFT = 8  # --check: regenerated patch differs from the recorded one
    HOST_TOOLS = 9  # required host tools are missing
    QA = 10  # a QA expectation did not hold
    LOCKED = 11  # another run holds the lock
    CONFIG = 12  # bad configuration or definition file
    IO = 13  # disk full, unwritable cache or results directory
    INTERRUPTED = 130  # Ctrl-C or SIGTERM: nothing published, staging cleaned up


class PipelineError(Exception):
    """An error with a one-line message that names the file and the fix."""

    code: ExitCode = ExitCode.INTERNAL

    def __init__(self, message: str, code: ExitCode | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code

    @property
    def message(self) -> str:
        return str(self.args[0])


class UsageError(PipelineError):
    code = ExitCode.USAGE


class ConfigError(PipelineError):
    code = ExitCode.CONFIG


class VerificationError(PipelineError):
    code = ExitCode.VERIFY


class SourceNotFound(PipelineError):
    code = ExitCode.NOT_FOUND


class BackportConflict(PipelineError):
    code = ExitCode.CONFLICT


class BuildError(PipelineError):
    code = ExitCode.BUILD


class LintError(PipelineError):
    code = ExitCode.LINT


class DriftError(PipelineError):
    code = ExitCode.DRIFT


class HostToolsMissing(PipelineError):
    code = ExitCode.HOST_TOOLS


class QAFailure(PipelineError):
    code = ExitCode.QA


class LockedError(PipelineError):
    code = ExitCode.LOCKED


class StorageError(PipelineError):
    code = ExitCode.IO

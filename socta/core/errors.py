"""The errors of configuration a user can fix (exit code 2): below every module that reads a file."""
from __future__ import annotations


class ConfigError(ValueError):
    """A configuration file is missing or malformed; the message names the file and the fix."""


class OutsideFolder(ConfigError):
    """A path that would lead out of the folder it belongs to (a file written outside the build folder,
    a file read from outside a data folder); the message names the path, the folder and the fix."""

"""govaudit: compliance-checking crawler for Chinese government websites."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("govaudit")   # pyproject.toml's, the one source of the version
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0.0.0+source"

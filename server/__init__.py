"""caja's ERP server: the API terminals sync with, the back office, and the `caja` command."""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("caja")
except PackageNotFoundError:  # running from a checkout without `pip install -e .`
    __version__ = "0.0.0"

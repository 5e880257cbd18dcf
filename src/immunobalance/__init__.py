"""immunobalance — precision immunotherapy for autoimmune disease, in silico.

One engine answers two questions: what happens if patients like these get this regimen (an
in-silico trial over a calibrated virtual population), and which immunotherapy best restores this
patient's immune balance, safely (the same population reweighted into the patient's digital twin).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("immunobalance")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]

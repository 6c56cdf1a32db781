"""dlsip: the companion package of *Deep Learning for Signal & Image Processing*.

The package is the single source of truth for the course's code; the notebooks import
it. Submodules are imported lazily, so ``import dlsip`` is fast and does not pull in
torch:

>>> import dlsip
>>> dlsip.__version__
'0.1.0'
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_SUBMODULES = (
    "arithmetic",
    "check",
    "data",
    "filters",
    "gradcheck",
    "layers",
    "metrics",
    "models",
    "plotting",
    "signals",
    "timing",
    "train",
)

__all__ = ["__version__", *_SUBMODULES]


def __getattr__(name: str):
    # PEP 562 lazy submodules: `dlsip.filters` works after a bare `import dlsip`.
    if name in _SUBMODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'dlsip' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)

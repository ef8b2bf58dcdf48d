"""Which inner loops the engine uses: the compiled kernels, or their NumPy equivalent.

The compiled extension (``coproduce.methods.pb._kernels``, built from ``_kernels.pyx`` at
install) is optional: when it was not built (no C compiler at install time, say) the engine
runs the NumPy/Python implementation in :mod:`.numpy_kernels`, which takes the same decisions
with the same error-bound arguments, so the outcomes are identical; only the speed differs.
"""

from __future__ import annotations

from types import ModuleType
from typing import Literal

from . import numpy_kernels

try:
    from .. import _kernels as _compiled
except ImportError:  # the extension was not built: the NumPy path does everything
    _compiled = None

__all__ = ["KERNELS_AVAILABLE", "kernel_path", "use_compiled", "use_numpy"]

#: Whether the compiled extension could be imported.
KERNELS_AVAILABLE: bool = _compiled is not None

#: Engines created while this is True use the compiled kernels (when available). Tests turn
#: it off to run the NumPy path on the same elections.
USE_COMPILED: bool = True


def kernel_path() -> Literal["compiled", "numpy"]:
    """The inner loops an engine created now would use."""
    return "compiled" if KERNELS_AVAILABLE and USE_COMPILED else "numpy"


def current() -> ModuleType:
    """The module providing ``Tables``, ``ranked`` and ``certificate`` for a new engine."""
    return _compiled if kernel_path() == "compiled" else numpy_kernels


def use_numpy() -> None:
    """Make engines created from now on use the NumPy path (benchmarks, debugging)."""
    global USE_COMPILED
    USE_COMPILED = False


def use_compiled() -> None:
    """Make engines created from now on use the compiled kernels again, when available."""
    global USE_COMPILED
    USE_COMPILED = True

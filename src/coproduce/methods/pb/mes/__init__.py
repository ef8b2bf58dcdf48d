"""Fast, exact Method of Equal Shares (MES) and its Add1 completion.

How it stays exact while running in float64
-------------------------------------------
Every voter starts with the same budget ``t``. A voter's budget only changes when she pays for a
funded project, so voters fall into few *budget classes*: two voters with the same payment
history hold exactly the same budget. Each class keeps its budget as a float together with a
rigorous bound on the rounding error of that float. Every decision MES takes (is a project
affordable? which supporters pay in full and which pay all they have left? which project has the
smallest ``rho``?) compares floats whose error bounds are known: when the gap exceeds the bounds
the float answer is provably the exact answer; otherwise (ties, near-ties) the engine recomputes
the decisive quantities with :class:`fractions.Fraction` from the recorded history (the exact
budget of a class is the exact budget of its parent class minus the exact price it paid). The
outcome is therefore the exact one, identical to pabutools' rational implementation, while
nearly all arithmetic is float.

How Add1 stays fast
-------------------
Add1 reruns MES with ``t, t + 1, t + 2, ...`` (up to thousands of times). For a fixed sequence of
decisions every budget and every ``rho`` is an *affine* function of ``t``, so the engine also
tracks the slope ``d/dt`` of each quantity (with its own error bound) and records, for every
round, up to which increment its decisions provably stay the same. Reruns keep what provably
holds and recompute the rest exactly, so the result equals rerunning MES from scratch at every
increment, as pabutools does.

Where each step lives
---------------------
* :mod:`.engine`: :class:`MESEngine`, the budget classes, rounds, the choice of a round's
  winner and funding it;
* :mod:`.evaluation`: evaluating one project (float with error bounds, exact fallback) and
  exact values from the history;
* :mod:`.bounds`: lower bounds of ``rho``, recorded splits, how long a round stays valid;
* :mod:`.add1_reuse`: reruns at a larger increment reusing earlier rounds;
* :mod:`.tables`: the layout of the float tables and the rounding model;
* :mod:`.records`: what an evaluation and a round record, and the statistics;
* :mod:`.kernels`: compiled kernels (``_kernels.pyx``) or their NumPy equivalent
  (:mod:`.numpy_kernels`) when the extension was not built.
"""

from __future__ import annotations

from .engine import MESEngine
from .kernels import KERNELS_AVAILABLE, kernel_path
from .records import MESStats

__all__ = ["KERNELS_AVAILABLE", "MESEngine", "MESStats", "kernel_path"]

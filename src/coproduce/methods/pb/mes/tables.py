"""The layout of the engine's two float tables, and the rounding model every module shares.

The *class table* has one row per budget class (voters with the same payment history, hence
the same budget); the *lower-bound table* has one column per project. Both are plain float64
arrays so that one gather fetches a whole row and the compiled kernels can read them; these
names say which column (or row) holds what. The compiled kernels (``_kernels.pyx``) use the
same layout under the same names.
"""

from __future__ import annotations

import math

#: Unit roundoff of float64: every operation is exact up to a relative error of ``U``.
U = 2.0**-53
INF = math.inf
#: Applied to every certified distance, to cover the rounding of the division giving it.
SHRINK = 1.0 - 16 * U

# Budget classes that always exist.
#: The voters with no money left (budget exactly 0, whatever the increment).
DEAD = 0
#: The voters who have paid nothing yet (budget exactly ``t``).
INIT = 1

# Columns of the class table (``tab[class, column]``).
#: The class's budget now (float).
BUDGET = 0
#: Bound on the rounding error of ``BUDGET``.
BUDGET_ERR = 1
#: ``d budget / d t``: how the budget moves with each voter's initial budget ``t``.
SLOPE = 2
#: Bound on the rounding error of ``SLOPE``.
SLOPE_ERR = 3
#: ``|SLOPE|`` (kept so that error bounds need no extra pass).
ABS_SLOPE = 4
CLASS_COLUMNS = 5

# Rows of the lower-bound table (``lb[row, project]``): an affine lower bound of the project's
# ``rho`` as a function of the increment, ``value + slope * (k - at) * money_scale``.
#: The bound's value at increment ``LB_AT``.
LB_VALUE = 0
#: Its slope per unit of ``t`` (money units).
LB_SLOPE = 1
#: The increment at which ``LB_VALUE`` was computed.
LB_AT = 2
#: Bound on the rounding error of ``LB_VALUE``.
LB_VALUE_ERR = 3
#: Bound on the rounding error of ``LB_SLOPE``.
LB_SLOPE_ERR = 4
BOUND_ROWS = 5

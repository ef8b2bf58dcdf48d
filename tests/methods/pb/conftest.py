"""Fixtures of the participatory-budgeting tests: run the MES engine on either inner loops."""

from __future__ import annotations

import pytest

from coproduce.methods.pb.mes import KERNELS_AVAILABLE, kernels
from methods.pb.pb_testdata import PATHS


@pytest.fixture(params=PATHS)
def kernel_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Engines created in the test use the compiled kernels, then (second run) the NumPy path.

    The NumPy path is what a machine without the compiled extension runs; both must give
    the same outcomes. The compiled run is skipped when the extension was not built.
    """
    if request.param == "compiled" and not KERNELS_AVAILABLE:
        pytest.skip("the compiled kernels are not built")
    monkeypatch.setattr(kernels, "USE_COMPILED", request.param == "compiled")
    return request.param

"""Build the compiled inner loops of the participatory-budgeting engine (the rest is in
pyproject.toml).

The extension is optional. It makes the Method of Equal Shares several times faster, but the
engine has a NumPy implementation of the same loops with identical outcomes, so a machine
without a C compiler, without the Python headers or without Cython still gets a working
install: the build prints a warning and goes on without the extension. Cython is a build
requirement in pyproject.toml, so a normal install does build it.
"""

from __future__ import annotations

import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext
from setuptools.errors import (
    BaseError,
    CCompilerError,
    CompileError,
    ExecError,
    LinkError,
    PlatformError,
)

PYX = "src/coproduce/methods/pb/_kernels.pyx"
NAME = "coproduce.methods.pb._kernels"
#: What goes wrong when there is no compiler, no headers or a failing compile or link.
BUILD_ERRORS = (BaseError, CCompilerError, CompileError, ExecError, LinkError, PlatformError)


def warn(reason: object) -> None:
    """Say loudly that the kernels were not built and what that means."""
    bar = "*" * 78
    sys.stderr.write(
        f"\n{bar}\nWARNING: the compiled MES kernels ({NAME}) were not built:\n  {reason}\n"
        "coproduce works without them (the NumPy path gives identical outcomes), only the\n"
        "Method of Equal Shares is slower. To build them, install a C compiler and the\n"
        "Python development headers, then reinstall (pip install -e .).\n"
        f"{bar}\n\n"
    )


class OptionalBuildExt(build_ext):
    """``build_ext`` that warns instead of failing when the extension cannot be built."""

    def run(self) -> None:
        try:
            super().run()
        except BUILD_ERRORS as exc:  # e.g. no C compiler found at all
            warn(exc)

    def build_extension(self, ext: Extension) -> None:
        try:
            super().build_extension(ext)
        except BUILD_ERRORS as exc:
            warn(exc)


def extensions() -> list[Extension]:
    """The kernels as an extension to build, or none (with a warning) without Cython."""
    try:
        from Cython.Build import cythonize
    except ImportError:
        warn("Cython is not installed")
        return []
    kernels = Extension(
        NAME,
        [PYX],
        # The error bounds assume that every operation is rounded on its own: no fused
        # multiply-add.
        extra_compile_args=["-O2", "-ffp-contract=off"],
    )
    try:
        return cythonize([kernels], language_level=3)
    except Exception as exc:  # Cython could not translate the .pyx: build without it
        warn(f"Cython failed: {exc}")
        return []


setup(ext_modules=extensions(), cmdclass={"build_ext": OptionalBuildExt})

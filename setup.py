"""Build the compiled inner loops of the participatory-budgeting engine (the rest is in
pyproject.toml). A C compiler and the Python headers are needed; Cython comes from the
build requirements."""

from Cython.Build import cythonize
from setuptools import Extension, setup

setup(
    ext_modules=cythonize(
        [
            Extension(
                "coproduce.methods.pb._kernels",
                ["src/coproduce/methods/pb/_kernels.pyx"],
                # The error bounds assume that every operation is rounded on its own: no
                # fused multiply-add.
                extra_compile_args=["-O2", "-ffp-contract=off"],
            )
        ],
        language_level=3,
    )
)

"""The ledger's compiled rows and cells (docs/performance.md), built at install time from
rows.c and the header generated from the incident's declaration. Everything else about
the package is in pyproject.toml.

Optional: where no C compiler or Python headers are found the install goes on, and the
aggregator keeps the Python rows, saying so at start-up and in safetywatch_ledger_compiled.
"""

from setuptools import Extension, setup

NATIVE = "services/safetywatch/native"

setup(
    ext_modules=[
        Extension(
            "safetywatch.native._rows",
            sources=[f"{NATIVE}/rows.c"],
            depends=[f"{NATIVE}/layout.h"],
            include_dirs=[NATIVE],
            extra_compile_args=[
                "-std=c11",
                "-Wall",
                "-Wextra",
                "-Wno-unused-parameter",
                "-Wno-missing-field-initializers",
            ],
            optional=True,
        )
    ]
)

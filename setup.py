"""What is compiled at install time (docs/performance.md); everything else about the
package is in pyproject.toml.

- The ledger's rows and cells, from rows.c and the header generated from the incident's
  declaration.
- The replay's per-record rules (``safetywatch.compiled.MODULES``), by mypyc from their
  own Python source, when mypyc is installed in the build's environment (``dev/setup``
  builds without isolation, in the virtualenv that has it).

Both are optional: where no C compiler, Python headers or mypyc are found the install
goes on, and the aggregator runs the Python rows and rules, saying so at start-up.
"""

import runpy
import sys
from pathlib import Path

from setuptools import Extension, setup

NATIVE = "services/safetywatch/native"
COMPILED = runpy.run_path("services/safetywatch/compiled.py")

rows = Extension(
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


def compiled_rules() -> list[Extension]:
    """mypyc's extensions of the rules, and the digest of the sources they are built
    from (what ``safetywatch.compiled`` checks before it uses them); none without mypyc."""
    try:
        from mypyc.build import mypycify
    except ImportError:
        print("setup: mypyc not installed: the rules stay Python", file=sys.stderr)
        return []
    # What an earlier build compiled goes first: a build that fails then leaves the
    # Python source to run, never an older compiled copy under the new digest.
    for extension in Path("services/safetywatch").rglob("*.so"):
        if extension.parent.name != "native":
            extension.unlink()
    COMPILED["DIGEST_FILE"].write_text(COMPILED["sources_digest"]() + "\n")
    sources = [
        str(COMPILED["source_of"](module).relative_to(Path.cwd())) for module in COMPILED["MODULES"]
    ]
    extensions = mypycify(sources, opt_level="3", group_name=COMPILED["GROUP"])
    for extension in extensions:
        extension.optional = True
    return extensions


setup(ext_modules=[rows, *compiled_rules()])

"""``python -m safetywatch.native``: build the compiled rows now (setup does), so that
the first aggregator start does not, and a machine that cannot build them says so."""

from __future__ import annotations

import sys

from safetywatch.native.build import CompiledRowsUnavailable, compiled_rows


def main() -> int:
    try:
        module = compiled_rows()
    except CompiledRowsUnavailable as error:
        print(f"compiled rows unavailable: {error}", file=sys.stderr)
        return 1
    print(f"compiled rows ready: {module.__file__} ({module.ROW_SIZE} bytes a row)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

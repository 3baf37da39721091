"""python -m dev.generate [--check] [--root DIR]: write the generated files, or name the
ones that differ from what the code generates (exit 1)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dev.generate.generated import stale_files, write_generated_files


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m dev.generate", description=__doc__)
    parser.add_argument("--root", default=".", help="the repository (default: here)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a file drifted")
    args = parser.parse_args()
    root = Path(args.root)
    if args.check:
        stale = stale_files(root)
        for path in stale:
            print(f"{path} differs from the code; run 'python -m dev.generate'")
        return 1 if stale else 0
    for path in write_generated_files(root):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

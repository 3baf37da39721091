import sys

from safetywatch.cli import main

sys.exit(main())

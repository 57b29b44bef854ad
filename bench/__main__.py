"""`python -m bench [--quick] [--sizes ...] [--output FILE]`: see bench/run.py."""

import sys

from bench.run import main

sys.exit(main())

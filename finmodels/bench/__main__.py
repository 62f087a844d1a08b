"""`python -m finmodels.bench`: the benchmarks' command line (`finmodels.bench.cli`)."""

import sys

from finmodels.bench.cli import main

sys.exit(main())

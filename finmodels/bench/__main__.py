"""`python -m finmodels.bench`: the benchmarks' command line (see `finmodels.bench`)."""

import sys

from finmodels.bench import main

sys.exit(main())

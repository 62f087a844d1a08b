"""Data: the first stage. A CSV becomes a typed table the later stages can trust.

`reading` loads a file (delimiter, encoding, `83.7%`/`$5,000`/`(1,200)` numbers) and notes what it changed,
with `sniffing` (a CSV's encoding, delimiter and header, binary files refused), `tidying` (blanks, NA tokens,
numbers written as text, infinities) and `tables` (Parquet and CSVs past the upload limit, read with pyarrow);
`profiling` gives each column a role and guesses the target; `validation` collects every problem a file has,
with the column, rows and values (`problems` is their shape; `outliers` the domain rules, such as an age of 144,
and the values far outside their column's bulk; `codes` the numbers that are codes: 98 in a count, -2 in a column
otherwise 0 or more, small whole-number codes read as numbers and their rare codes); `derived` finds columns computed
from two others (a ratio, a product) so that a what-if recomputes them; `targets` reads labels (binary events, rating scales); `tasks` is the
registry of task presets; `splits` holds rows out without leakage (stratified or by date); `sequences` turns
price files into windows and `panels` reads multi-asset price files as one series per ticker (`price_gaps`
finds the runs of days without a price); `holdings` reads a
portfolio's holdings file; `samples` lists the shipped sample files.
"""

from finmodels.data.derived import DerivedColumn, find_derived
from finmodels.data.holdings import read_holdings
from finmodels.data.panels import read_panel
from finmodels.data.profiling import Profile, pick_target, profile
from finmodels.data.reading import load_csv, read_notes
from finmodels.data.samples import SAMPLES, get_sample, load_sample
from finmodels.data.splits import Split, chronological_split, stratified_split
from finmodels.data.targets import RATING_SCALE, guess_target, rating_order
from finmodels.data.tasks import TASKS, get_task
from finmodels.data.validation import check_data, validate

__all__ = ["RATING_SCALE", "SAMPLES", "TASKS", "DerivedColumn", "Profile", "Split", "check_data",
           "chronological_split", "find_derived", "get_sample", "get_task", "guess_target", "load_csv", "load_sample",
           "pick_target", "profile", "rating_order", "read_holdings", "read_notes", "read_panel", "stratified_split",
           "validate"]

"""A scored row is named by its line in the file, as the Data page and every data message name rows (the header is
line 1, the first row line 2): the table the Score page shows and the CSV it downloads, reason codes included."""

import csv
import io

import numpy as np
import pandas as pd

from finmodels.data.reading import load_csv
from finmodels.delivery.export import to_csv_bytes
from finmodels.delivery.scoring import score_file


def test_the_scored_rows_are_named_by_their_line_in_the_file(german_net, german):
    raw = german.drop(columns="creditability").iloc[:60].to_csv(index=False)
    scored = score_file(german_net, load_csv(raw.encode()), threshold=0.3)
    lines = scored.by_line()
    assert lines.index.name == "line" and list(lines.index) == list(range(2, 62))
    file_lines = list(csv.reader(io.StringIO(raw)))  # file_lines[0] is line 1, the header
    flagged = lines[lines["decision"] == "bad"]
    line = int(flagged.index[-1])  # a flagged row late in the file: its reason codes are its own line's
    assert file_lines[line - 1][:3] == [str(v) for v in lines.loc[line, file_lines[0][:3]]]
    assert lines.loc[line, "reason codes"] == scored.table["reason codes"].iloc[line - 2] != ""
    # the download's first column is the line, the rest as before
    download = pd.read_csv(io.BytesIO(to_csv_bytes(lines.reset_index())))
    assert list(download.columns[:2]) == ["line", "status_of_existing_checking_account"]
    assert list(download["line"]) == list(range(2, 62))
    assert download.set_index("line").loc[line, "reason codes"] == lines.loc[line, "reason codes"]


def test_a_file_with_its_own_line_column_keeps_it(german_net, german):
    rows = german.drop(columns="creditability").iloc[:5].assign(line=np.arange(100, 105))
    lines = score_file(german_net, rows, threshold=0.3).by_line()
    assert lines.index.name == "line of the file" and list(lines.index) == [2, 3, 4, 5, 6]
    assert list(lines["line"]) == [100, 101, 102, 103, 104]
    assert list(lines.reset_index().columns[:1]) == ["line of the file"]

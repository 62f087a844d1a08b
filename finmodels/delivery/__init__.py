"""Delivery: the last stage. A model leaves the session as scored files, reports and compared runs.

`scoring` scores a new file with decisions and reason codes; `export` writes formula-safe CSV; `report`
builds the self-contained HTML report; `document` the model document a validator reads, its SR 11-7 sections
computed in `sections`; `html` holds the pieces both HTML files share (style, escaped paragraphs and tables);
`runs` compares runs side by side.
"""

from finmodels.delivery.document import build_document
from finmodels.delivery.export import to_csv_bytes
from finmodels.delivery.report import build_report
from finmodels.delivery.runs import RunHistory
from finmodels.delivery.scoring import ScoredFile, score_file

__all__ = ["RunHistory", "build_document", "ScoredFile", "build_report", "score_file", "to_csv_bytes"]

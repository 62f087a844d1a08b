"""An explanation written as JSON (kept with its run in the workspace) reads back as the same explanation: values,
rows in their own types, reason codes, summary and importance; without its rows kept, from the run's data, and
without either, with the reason codes of its highest-scored rows."""

import json

import numpy as np
import pytest

from finmodels.errors import FinModelsError
from finmodels.explain.explanation import explain_result
from finmodels.explain.stored import REASON_ROWS, KeptExplanation, explanation_from_record, explanation_record


@pytest.fixture(scope="module")
def explained(credit_risk_net):
    return explain_result(credit_risk_net, rows=60, seed=0)


def through_json(explained, **options) -> dict:
    return json.loads(json.dumps(explanation_record(explained, **options)))  # as the artifact's text


def assert_same(back, explained, rows: int) -> None:
    assert back.columns == explained.columns and back.target_class == explained.target_class
    np.testing.assert_array_equal(back.values, explained.values)
    np.testing.assert_array_equal(back.predictions, explained.predictions)
    assert back.summary() == explained.summary()
    assert back.importance().round(12).to_dict() == explained.importance().round(12).to_dict()
    top = explained.rows_by_prediction()[:rows]
    assert back.rows_by_prediction()[:rows] == top
    assert [back.reason_codes(i) for i in top] == [explained.reason_codes(i) for i in top]
    assert any(explained.reason_codes(i) for i in top)


def test_a_kept_explanation_with_its_rows_reads_back_the_same(explained):
    back = explanation_from_record(through_json(explained, rows=True))
    assert type(back).__name__ == "Explanation"
    assert_same(back, explained, rows=len(explained.predictions))
    assert list(back.data.dtypes) == list(explained.data.dtypes)  # 'person_age' stays whole, home ownership text
    assert back.data["loan_int_rate"].isna().sum() == explained.data["loan_int_rate"].isna().sum() > 0
    assert list(back.row_ids) == list(explained.row_ids)


def test_without_its_rows_they_come_from_the_runs_data(explained, credit_risk_net):
    record = through_json(explained)
    assert record["data"] is None  # an upload's rows never reach the workspace unless the team keeps data
    back = explanation_from_record(record, credit_risk_net.frame)
    assert type(back).__name__ == "Explanation"
    assert_same(back, explained, rows=len(explained.predictions))
    assert back.data.equals(explained.data)


def test_without_rows_or_data_the_top_rows_keep_their_reason_codes(explained):
    back = explanation_from_record(through_json(explained))
    assert isinstance(back, KeptExplanation) and back.data.isna().all().all()
    assert_same(back, explained, rows=REASON_ROWS)
    assert back.reason_codes(explained.rows_by_prediction()[-1]) == []  # a row below the top ten keeps none


def test_a_record_of_another_format_is_a_message():
    with pytest.raises(FinModelsError, match="another version of this tool"):
        explanation_from_record({"top": ["duration_in_month"]})

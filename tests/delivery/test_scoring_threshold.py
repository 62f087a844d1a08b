"""A scored file decided again at another threshold without the model (the Score page's slider), reason codes for
the highest-scored flagged rows up front and the others on request, and the score column named as the other pages
name the risk event."""

import dataclasses

import numpy as np
import pandas as pd

from finmodels.delivery.scoring import explain_rows, score_file


def test_a_new_threshold_decides_and_explains_as_scoring_again_would(german_net, german):
    rows = german.drop(columns="creditability").iloc[:80]
    first = score_file(german_net, rows, threshold=0.3)
    moved = first.at_threshold(0.5)
    again = score_file(german_net, rows, threshold=0.5)
    assert moved.threshold == 0.5 and moved.flagged == again.flagged < first.flagged
    pd.testing.assert_series_equal(moved.table["decision"], again.table["decision"])
    pd.testing.assert_series_equal(moved.table["reason codes"], again.table["reason codes"])
    assert moved.notes == again.notes
    assert (moved.table["reason codes"][moved.table["decision"] == "not bad"] == "").all()


def test_explain_top_explains_the_highest_scored_flagged_rows_and_the_others_on_request(german_net, german):
    rows = german.drop(columns="creditability").iloc[:80]
    full = score_file(german_net, rows, threshold=0.2)
    top = score_file(german_net, rows, threshold=0.2, explain_top=5)
    flagged = np.flatnonzero(full.scores >= 0.2)
    assert len(flagged) > 5
    best = flagged[np.argsort(-full.scores[flagged], kind="stable")[:5]]
    assert sorted(top.explained_positions) == sorted(best)
    assert (top.table["reason codes"].iloc[best] == full.table["reason codes"].iloc[best]).all()
    assert f"Reason codes for the 5 highest-scored of the {len(flagged)} flagged rows; the other " \
           f"{len(flagged) - 5} are explained on request." in top.notes
    rest = top.unexplained_flagged()
    assert len(rest) == len(flagged) - 5 and list(full.scores[rest]) == sorted(full.scores[rest], reverse=True)
    done = top.with_explained(explain_rows(german_net, rows, rest))
    pd.testing.assert_series_equal(done.table["reason codes"], full.table["reason codes"])
    assert f"Reason codes for the {len(flagged)} flagged rows; rows not flagged need none." in done.notes


def test_a_coded_event_is_named_with_its_target(german_net, german):
    # a 0/1 target: "probability of '1'" said nothing; the other pages say 'loan_status = 1'
    coded = dataclasses.replace(german_net, event_label="1",
                                config=dataclasses.replace(german_net.config, target="loan_status"))
    scored = score_file(coded, german.drop(columns="creditability").iloc[:10], threshold=0.5, reasons="all")
    assert scored.score_column == "probability of loan_status = 1"
    assert "probability of loan_status = 1" in scored.table

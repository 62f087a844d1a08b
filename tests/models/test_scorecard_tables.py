"""The scorecard challenger's tables kept with a run: the same IV, bins and points from the fitted scorecard, from
the run's details, and from a run read back from the workspace; and in the report."""

import numpy as np
import pandas as pd

from finmodels.models.scorecard_tables import iv_band, iv_table, tables_of


def test_the_run_keeps_the_scorecards_tables_in_its_details(german_net):
    model = german_net.baselines["scorecard"].model
    iv, bins, points = tables_of(german_net)
    pd.testing.assert_frame_equal(bins, model.binning_table())
    pd.testing.assert_frame_equal(points, model.points_table())
    assert list(iv["feature"]) == list(model.iv().index) and np.allclose(iv["iv"], model.iv().to_numpy())
    assert len(iv) == 20 and iv["iv"].is_monotonic_decreasing
    assert list(iv["strength"]) == [iv_band(v) for v in iv["iv"]]
    assert german_net.details["scorecard.bins.feature"].dtype.kind == "U"
    assert len(german_net.details["scorecard.points.points"]) == len(points)


def test_a_run_read_back_from_the_workspace_shows_the_same_tables(german_net, german, tmp_path):
    from finmodels.runtime.workspace import Workspace, data_fingerprint

    space = Workspace(tmp_path, area="scorecard")
    run_id = space.log_run(german_net, data_name="german_credit.csv", data_fingerprint=data_fingerprint(german),
                           source="test")
    back = space.load_result(run_id, preprocessor=False)
    assert getattr(back.baselines["scorecard"], "model", None) is None  # the fitted scorecard is not kept
    fresh, read = tables_of(german_net), tables_of(back)
    for a, b in zip(fresh, read):
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_dtype=False)
    assert iv_table(read[1])["iv"].round(6).tolist() == fresh[0]["iv"].round(6).tolist()


def test_the_report_has_the_scorecards_iv_and_points(german_net):
    from finmodels.delivery.report import build_report, scorecard_tables_section

    iv, bins, _ = tables_of(german_net)
    section = "\n".join(scorecard_tables_section(german_net))
    assert "<h2>Scorecard challenger</h2>" in section and "<h3>Bins and points</h3>" in section
    assert section.count("<tr") == (1 + len(iv)) + (1 + len(bins))
    assert f"<td>{iv['feature'].iloc[0]}</td>" in section
    assert "<h2>Scorecard challenger</h2>" in build_report(german_net, data_name="german_credit.csv")

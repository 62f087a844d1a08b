"""Stage names of cross-fitted networks: every network's note is one stage, 'fitting the cross-fitted networks'."""

from finmodels.commands.stages import StageClock, stage_name

NOTE = "Fitting the network {} of 10 (cross-fitted) on 480 rows, stopping early on 160..."


def test_every_cross_fitted_networks_note_is_one_stage_name():
    assert stage_name(NOTE.format(3)) == "fitting the cross-fitted networks"
    assert {stage_name(NOTE.format(k)) for k in range(1, 11)} == {"fitting the cross-fitted networks"}
    assert stage_name("Fitting the network 12 of 20 (cross-fitted) on 1,200,000 rows, stopping early on 300,000...") \
        == "fitting the cross-fitted networks"
    # one network keeps its own stage, without the row count
    assert stage_name("Fitting the network on 480 rows...") == "fitting the network on rows"


def test_two_networks_in_a_row_are_one_stage_of_the_clock():
    clock = StageClock("preprocessing rows")
    clock.note(NOTE.format(1))
    clock.note(NOTE.format(2))
    clock.note("Scoring 200 test rows...")
    clock.note("Fitting the baselines...")
    found = clock.close()
    assert [s["stage"] for s in found["stages"]] == ["preprocessing rows", "fitting the cross-fitted networks",
                                                     "scoring test rows", "fitting the baselines"]
    assert all(s["seconds"] >= 0 and s["peak_mb"] > 0 for s in found["stages"])

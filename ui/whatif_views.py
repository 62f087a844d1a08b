"""The Explain page's what-if editor: pick one row, edit its values in the data's own units, and see the score,
the decision and the waterfall before and after, the contribution changes and a counterfactual per input.

The row and the edits are read here; scoring, explaining and the counterfactual search run in a worker
(`finmodels.runtime.worker.whatif_run`, the run's network kept warm there). The training ranges and levels that
guide the editor are read from the run's own training rows, in this process (no network needed).
"""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from finmodels.data.tasks import BINARY, REGRESSION
from finmodels.data.tidying import rows_phrase
from finmodels.errors import FinModelsError
from finmodels.explain.counterfactuals import LEVELS_SEARCHED, unsearched
from finmodels.explain.whatif import WHATIF_KINDS, derived_inputs, pick_row, searched_range, training_ranges
from finmodels.models.preprocessing import level_text
from finmodels.plots.whatif import plot_contribution_changes, plot_counterfactuals, plot_whatif_waterfalls
from finmodels.runtime import worker
from ui import decisions, kept, runtime
from ui.messages import show_error
from ui.tiles import text_tile
from ui.widgets import last_value, remember, store

WHATIF = "whatif_result"  # (signature, WhatIf) of the last what-if computed in this session
RANGES = "whatif_ranges"  # (run id, {column: FeatureRange}) of the current run
DERIVED = "whatif_derived"  # (run id, [DerivedColumn]) of the current run: inputs that are a ratio of two others
BY_ROW, BY_ID = "Line of the file", "Identifier"
GRID = 4  # editor widgets per line


def ranges_of(result) -> dict:
    cached = st.session_state.get(RANGES)
    if cached is None or cached[0] != (result.run_id or id(result)):
        cached = ((result.run_id or id(result)), training_ranges(result))
        st.session_state[RANGES] = cached
    return cached[1]


def derived_columns(result, ranges: dict) -> list:
    """The run's inputs that equal a ratio or product of two others on its training rows (found once per run, on a
    sample of them: `finmodels.data.derived.find_derived`)."""
    cached = st.session_state.get(DERIVED)
    if cached is None or cached[0] != (result.run_id or id(result)):
        cached = ((result.run_id or id(result)), [d for d in derived_inputs(result) if d.column in ranges])
        st.session_state[DERIVED] = cached
    return cached[1]


def recompute_choice(derived: list) -> list | None:
    """The derived inputs to recompute when their inputs change, as the analyst leaves the box ticked (None: off);
    the page names each and its rule."""
    if not derived:
        return None
    remember({"whatif_recompute": True})
    rules = "; ".join(f"**{d.column}** = {d.formula}" + (f" (rounded to {d.decimals} decimals)" if d.decimals is not None
                                                        else "") + f" on {d.share:.1%} of the training rows"
                      for d in derived)
    on = st.checkbox("Recompute derived columns when their inputs change", key="whatif_recompute",
                     help="Off: every value is scored as typed, even where the row then breaks the rule.")
    store(["whatif_recompute"])
    st.caption(f"In the training data {rules}. " + ("Changing an input recomputes it (unless you change it too), so the "
               "edited row stays one the data could hold." if on else "Off: it keeps the value in the editor."))
    return derived if on else None


def threshold(result) -> tuple[float | None, str]:
    """The decision threshold and how it was set: a binary run's as every page takes it (`ui.decisions`); an anomaly
    model's 99th percentile of training scores (chosen in the worker); none for a regression."""
    if result.kind == BINARY:
        return decisions.decision_threshold(result)
    return None, "none: a regression takes no decision" if result.kind == REGRESSION else \
        "the 99th percentile of the training scores"


def pick(frame: pd.DataFrame) -> int | None:
    """The position of the row the analyst picked, by number or by an identifier column's value; None after a
    message when no row matches."""
    remember({"whatif_by": BY_ROW, "whatif_line": 2})  # the row comes back after a visit to another page
    if not 2 <= st.session_state["whatif_line"] < len(frame) + 2:  # a line of another, longer file
        st.session_state["whatif_line"] = 2
    by = st.segmented_control("Find the row", [BY_ROW, BY_ID], key="whatif_by") or BY_ROW
    line = st.number_input(f"Line of the file (2 to {len(frame) + 1:,}; line 1 is the header)", 2, len(frame) + 1,
                           key="whatif_line", help="Rows are named by their line in the file, as the Data page's "
                                                   "checks and every message name them.") if by == BY_ROW else None
    store(["whatif_by", "whatif_line"])
    row = None if line is None else int(line) - 2
    if row is not None:
        return int(row)
    left, right = st.columns(2)
    column = left.selectbox("Identifier column", list(frame.columns), key="whatif_id_column")
    value = right.text_input(f"Value of {column}", key="whatif_id_value", placeholder=f"e.g. {frame[column].iloc[0]}")
    if not value:
        st.caption(f"Type a value of '{column}' to find its row.")
        return None
    try:
        position, _, warnings = pick_row(frame, id_column=column, id_value=value)
    except FinModelsError as exc:
        show_error(exc)
        return None
    for warning in warnings:
        st.warning(warning)
    return position


def _widget(column: str, value, rng, key: str):
    help_text = (f"Training range {rng.describe()}; a value outside it is scored as an extrapolation."
                 if rng.numeric else "Levels seen in training.")
    number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    if rng.numeric and rng.coded and not pd.isna(number):  # codes have no order: pick one, as a category
        options = [int(c) for c in rng.codes] + ([] if float(number) in rng.codes else [float(number)])
        current = int(number) if float(number) in rng.codes else float(number)
        return st.selectbox(column, options, index=options.index(current), key=key,
                            help=f"A code ({rng.describe()} seen in training); the network reads each on its own.")
    if rng.numeric:
        number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
        number = None if pd.isna(number) else float(number)
        if rng.integer and (number is None or number.is_integer()):
            return st.number_input(column, value=None if number is None else int(number), step=1, key=key,
                                   help=help_text)
        return st.number_input(column, value=number, key=key, help=help_text, format="%.4g")
    if rng.levels is None:
        return st.text_input(column, value="" if pd.isna(value) else str(value), key=key, help=help_text)
    current = "" if pd.isna(value) else level_text(value)  # '2', as the levels are spelled, for 2 or 2.0
    options = list(rng.levels) + ([current] if current not in rng.levels else [])
    return st.selectbox(column, options, index=options.index(current), key=key, help=help_text)


def _changed(before, after, numeric: bool) -> bool:
    if after is None or after == "":
        return False
    if numeric:
        old = pd.to_numeric(pd.Series([before]), errors="coerce").iloc[0]
        return pd.isna(old) or not math.isclose(float(old), float(after), rel_tol=1e-9, abs_tol=1e-12)
    return ("" if pd.isna(before) else level_text(before)) != level_text(after)  # 2.0 in the file is level '2'


def editor(frame: pd.DataFrame, position: int, ranges: dict) -> dict | None:
    """The row's model inputs as widgets (numbers free, categories from their training levels); the edited
    values ({column: value}) when the analyst presses the button, else None."""
    row = frame.iloc[position]
    with st.form(f"whatif_form_{position}", border=True):
        st.markdown(f"**{rows_phrase([position + 2]).capitalize()}: edit any value** (units as in the file; hover a "
                    "label for its training range)")
        values = {}
        columns = list(ranges)
        for start in range(0, len(columns), GRID):
            for slot, column in zip(st.columns(GRID), columns[start:start + GRID]):
                with slot:
                    values[column] = _widget(column, row[column], ranges[column], f"whatif_{position}_{column}")
        pressed = st.form_submit_button("Score the what-if", type="primary", icon=":material/calculate:")
    if not pressed:
        return None
    return {c: v for c, v in values.items() if _changed(row[c], v, ranges[c].numeric)}


def _score(value: float, result) -> str:
    if result.kind == BINARY:
        return f"{value:.3f}"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"  # 12,345, not 1.234e+04


def _counterfactuals(whatif, ranges: dict) -> None:
    if not whatif.counterfactuals:
        st.caption("No numeric input to move, or no decision to change.")
        return
    st.plotly_chart(plot_counterfactuals(whatif, ranges), key="whatif_counterfactuals")
    if any(cf.found for cf in whatif.counterfactuals):
        table = counterfactual_table(whatif)  # every line shown: no scrolling inside the table
        if table["training rows with it"].eq("").all():  # no coded input among them: the column would stay empty
            table = table.drop(columns="training rows with it")
        st.dataframe(table, hide_index=True, height=35 * (len(table) + 1) + 3, key="whatif_counterfactual_table")
    notes = [cf.note.replace("$", "\\$") for cf in whatif.counterfactuals if cf.found]  # '$' is not maths
    st.markdown("\n".join(f"- {note}" for note in notes))
    stuck = [cf.column for cf in whatif.counterfactuals if not cf.found and not cf.coded]
    if stuck:
        st.caption(f"No value of {', '.join(stuck)} within {searched_range(whatif.counterfactuals)} changes the "
                   "decision on its own.")
    for level, what in ((False, "code"), (True, "level")):
        stuck = [cf.column for cf in whatif.counterfactuals if not cf.found and cf.coded and cf.level == level]
        if stuck:
            st.caption(f"No other {what} seen in training of {', '.join(stuck)} changes the decision on its own.")
    left = unsearched(ranges)
    if left:  # a category with too many levels to try one by one (an identifier, free text): say it is left out
        st.caption(f"Not searched: {', '.join(left)} (more than {LEVELS_SEARCHED} levels, or a single one, in "
                   "training). Change one in the editor above to see its effect.")


def counterfactual_table(whatif) -> pd.DataFrame:
    """One line per input that can change the decision, in the what-if's order: its value, the value that changes
    it, the move (a coded input has none: 'another code'; a categorical one 'another level'; the share of training
    rows holding its new code tells a common code from a rare one) and the score there; a protected input is
    marked."""
    rows = [{"input": cf.column + (" (protected)" if cf.protected else ""), "this row": _value(cf.current),
             "changes the decision at": _value(cf.value),
             "move": ("another level" if cf.level else "another code") if cf.coded else _value(cf.change, sign=True),
             "training rows with it": "" if cf.share is None else _share(cf.share),
             "score there": f"{cf.score:.4f}"} for cf in whatif.counterfactuals if cf.found]
    return pd.DataFrame(rows, columns=["input", "this row", "changes the decision at", "move", "training rows with it",
                                       "score there"])


def _share(share: float) -> str:
    return f"{share:.1%}" if share >= 0.001 or share == 0 else "under 0.1%"


def _value(value, *, sign: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, str):  # a categorical input's level
        return value
    plus = "+" if sign else ""
    return f"{value:{plus},.0f}" if abs(value) >= 1000 or float(value).is_integer() else f"{value:{plus}.4g}"


def score_delta(whatif, result) -> dict:
    """st.metric's delta arguments for the score after the edits: none when nothing was changed; a grey '0.000'
    without an arrow when the edits moved the score by less than it shows; else the move, red when it rises (towards
    the event)."""
    moved = whatif.after["score"] - whatif.before["score"]
    shown = _score(abs(moved), result)
    if not whatif.changes:
        return {}
    if float(shown.replace(",", "")) == 0:
        return {"delta": shown, "delta_color": "off", "delta_arrow": "off"}
    return {"delta": ("+" if moved > 0 else "-") + shown, "delta_color": "inverse"}


def decision_parts(decision: str) -> tuple[str, str]:
    """A decision as the tile shows it: the word ('flagged') and what it means ('default_payment_next_month = 1'),
    which the caption under the tile carries; a decision without a meaning ('bad', 'not flagged') is whole."""
    short, _, meaning = str(decision).partition(": ")
    return (short, f"{short} means {meaning}") if meaning else (str(decision), "")


def show(result, whatif) -> None:
    """The what-if's outcome: scores and decisions, warnings, both waterfalls, the contribution changes and the
    counterfactuals; a button keeps it with the run for the report."""
    before, after = whatif.before, whatif.after
    tiles = st.columns(4)
    tiles[0].metric("Score before", _score(before["score"], result))
    tiles[1].metric("Score after", _score(after["score"], result), **score_delta(whatif, result))
    if "decision" in after:
        for tile, label, state in ((tiles[2], "Decision before", before), (tiles[3], "Decision after", after)):
            short, meaning = decision_parts(state["decision"])  # the tile's large font holds a word or two
            text_tile(tile, label, short)
            if meaning:
                tile.caption(meaning)
        line = (f"The decision changes from **{before['decision']}** to **{after['decision']}**."
                if whatif.decision_changed else f"The decision stays **{after['decision']}**.")
        (st.success if whatif.decision_changed else st.info)(line)
    for note in getattr(whatif, "recomputed", ()):  # a what-if kept before derived columns has none
        st.info(note, icon=":material/function:")
    for warning in whatif.warnings:
        st.warning(warning, icon=":material/warning:")
    st.plotly_chart(plot_whatif_waterfalls(whatif), key="whatif_waterfalls")
    if whatif.threshold is None:  # a regression without a threshold takes no decision to change
        st.plotly_chart(plot_contribution_changes(whatif), key="whatif_contributions")
    else:
        found = sum(cf.found for cf in whatif.counterfactuals)
        changes, moves = st.tabs(["Contribution changes", f"Counterfactuals ({found} of "
                                  f"{len(whatif.counterfactuals)} inputs can change the decision)"])
        changes.plotly_chart(plot_contribution_changes(whatif), key="whatif_contributions")
        with moves:
            _counterfactuals(whatif, ranges_of(result))
    st.caption(" ".join(whatif.notes))
    if kept.keepable(result) and st.button("Keep this what-if with the run", key="whatif_keep",
                                           icon=":material/bookmark_add:"):
        if kept.keep(result, "whatif", whatif.to_dict()):
            st.success(f"Kept with run {result.run_id[:8]}: the **Report** page's HTML lists it.")


def protected_columns(result) -> list[str]:
    """The run's protected columns: those chosen on the Governance page in this session (its widget's key, or the
    copy `ui.widgets` keeps of it once another page is open: Streamlit forgets the key itself) and those whose
    fairness is kept with the run (a column whose fairness could not be computed is kept only by the choice)."""
    chosen = list(last_value("governance_protected") or [])
    return chosen + [c for c in (kept.kept(result).get("fairness") or {}) if c not in chosen]


def whatif_section(result) -> None:
    """The what-if editor for the current run (binary, regression and anomaly models of table rows)."""
    st.subheader("What-if for one row")
    if result.kind not in WHATIF_KINDS:
        article = "an" if result.kind[:1] in "aeiou" else "a"  # 'an ordinal model'
        st.info(f"What-if works on models with one score per row (credit default, loss, anomaly); this is {article} "
                f"{result.kind} model. The waterfall above explains one row of it.")
        return
    if result.frame is None:
        st.info("This run was read back from the workspace, which keeps no data. Load its training file on "
                "the **Data** page to edit one of its rows.")
        return
    at, said = threshold(result)
    st.caption(f"Edit a row of *{(result.data_info or {}).get('name') or 'the training file'}* and see how the "
               f"score, the decision (threshold {said}) and the contributions move; counterfactuals show how far each "
               "numeric input would have to move, others held, within the 1st-99th percentile of its training rows "
               "(a coded or categorical input: which other code or level would change it).")
    position = pick(result.frame)
    if position is None:
        return
    derived = recompute_choice(derived_columns(result, ranges_of(result)))
    changes = editor(result.frame, position, ranges_of(result))
    if changes is not None:
        try:
            whatif = runtime.run_job(worker.whatif_run, result, changes, row=position, threshold=at,
                                     protected=protected_columns(result), derived=derived,
                                     workspace=runtime.workspace_ref(), label="the what-if",
                                     spinner="Scoring, explaining both rows and searching the counterfactuals...")
        except FinModelsError as exc:
            show_error(exc)
            return
        st.session_state[WHATIF] = ((result.run_id or id(result), position), whatif)
    done = st.session_state.get(WHATIF)
    if done is not None and done[0] == (result.run_id or id(result), position):
        show(result, done[1])

"""What a partial dependence needs said besides its shape (`finmodels.explain.dependence.PartialDependence.shape`),
in sentences the Explain page, the HTML report and the model document share: rows whose own line moves the other
way, levels or codes held by too few training rows to rely on (`thin_note`), averages between levels that differ less
than the rows at one level, test rows outside the values tried, the steps of the network's weight-of-evidence input
(a small table's run reads each column through the scorecard's bins as well: flat beyond the last edge), derived
columns recomputed, and what was tried."""

from __future__ import annotations

import numpy as np

from finmodels.explain.counterfactuals import fmt_value
from finmodels.explain.dependence import AGAINST, FLAT, MIN_LEVEL_ROWS, MIN_LEVEL_SHARE, PartialDependence


def notes(found: PartialDependence) -> list[str]:
    """What a reader needs besides the shape, in sentences: rows that move the other way, thin levels or codes, a
    spread between levels smaller than across rows, test rows outside the values tried, the weight-of-evidence
    input's steps, derived columns recomputed, and what was tried."""
    said, name = [], found.column
    points = (lambda v: f"{100 * v:.1f} points") if found.percent else (lambda v: f"{v:.4g}")
    if found.numeric and not found.coded and found.against >= AGAINST:
        said.append(f"For {found.against:.0%} of the rows the score moves the other way across the range: {name} "
                    "acts together with other columns, so the average hides them (the faint lines).")
    said += [thin_note(found)] if found.thin else []
    if found.by_level and len(found.grid) > 1 and found.span < found.whiskers:
        unit = "code" if found.coded else "level"
        said.append(f"The averages of the {unit}s differ by at most {points(found.span)}, less than the rows' scores "
                    f"differ at one {unit} (the middle half of them: {points(found.whiskers)} typically): which row it "
                    f"is moves the score more than {name} does.")
    said += _outside_note(found)
    said += _woe_note(found)
    if found.recomputed:
        said.append("Recomputed on every row as the column moves, as in the training data: "
                    + "; ".join(found.recomputed) + ".")
    if found.coded:
        said.append(f"Each row is scored at each of the {len(found.grid)} codes of {name} in the training rows, drawn "
                    "apart (a code is no amount, so no line joins them); the dots are single rows, the box their "
                    "middle half; under each code, its training rows.")
    elif found.numeric:
        said.append(f"Each row is scored at {len(found.grid)} values across the bulk of the training rows (the 1st "
                    "to 99th percentile); values beyond it are not tried: the model has seen few rows there.")
    else:
        said.append("Each row is scored at each level seen in training; the whiskers span the middle half of the "
                    "rows' scores; under each level, its training rows.")
    return said


def thin_note(found: PartialDependence) -> str | None:
    """The levels or codes held by too few training rows to rely on, with their rows; None when there are none."""
    if not found.thin:
        return None
    kind = "Code" if found.coded else "Level"
    least = max(MIN_LEVEL_ROWS, MIN_LEVEL_SHARE * found.counted)
    held, many = dict(zip(found.grid, found.counts)), len(found.thin) > 1
    about = "about " if found.estimated else ""
    each = _and([f"{_level(found, v)} ({about}{held[v]:,})" for v in found.thin])
    why = ([f"{MIN_LEVEL_SHARE:.0%}"] if least > MIN_LEVEL_ROWS else []) + (
        ["estimated from the training rows the bundle keeps, as it does not count them all"] if found.estimated else [])
    why = f" ({'; '.join(why)})" if why else ""
    return (f"{kind}{'s' if many else ''} {each} {'have' if many else 'has'} fewer than {least:,.0f} of the "
            f"{found.counted:,} training rows{why}: the network learned little about "
            f"{'them' if many else 'it'}, so {'their' if many else 'its'} effect is not reliable.")


def _outside_note(found: PartialDependence) -> list[str]:
    if not found.outside or not (found.outside[0] or found.outside[1]):
        return []
    below, above, lowest, highest, rows = found.outside
    sides = ([f"{below:,} below {fmt_value(min(found.grid))} (down to {fmt_value(lowest)})"] if below else []) + \
        ([f"{above:,} above {fmt_value(max(found.grid))} (up to {fmt_value(highest)})"] if above else [])
    return [f"{below + above:,} of the {rows:,} {found.pool} hold {found.column} outside the values tried: "
            f"{' and '.join(sides)}; the chart does not show their scores at their own values."]


def _woe_note(found: PartialDependence) -> list[str]:
    """The weight-of-evidence input's part: its bins' edges, where the score steps, and how flat it is beyond."""
    edges, name, grid = found.woe_edges, found.column, found.grid
    if edges is None:
        return []
    head = f"The network also reads {name}'s weight of evidence in the scorecard's bins"
    if not found.numeric:
        return [f"{head}: levels in one bin share it, so they move the score alike."]
    if not edges:
        return [f"{head}: the scorecard keeps {name} in one bin, so that input does not move."]
    if found.coded:
        bins = [[v for v in grid if (i == 0 or v > edges[i - 1]) and (i == len(edges) or v <= edges[i])]
                for i in range(len(edges) + 1)]
        shown = "; ".join(_and([fmt_value(v) for v in b]) if len(b) < 3 else f"{fmt_value(b[0])} to {fmt_value(b[-1])}"
                          for b in bins if b)
        return [f"{head} ({shown}): codes in one bin share it, so they move the score alike."]
    said = (f"{head}, with edges at {', '.join(fmt_value(e) for e in edges)} (dotted): the score steps at those "
            "edges")
    beyond = [i for i, v in enumerate(grid) if v > edges[-1]]
    if len(beyond) >= 2:
        moved = float(np.ptp(found.average[beyond]))
        points = f"{100 * moved:.1f} points" if found.percent else f"{moved:.4g}"
        first, last = fmt_value(grid[beyond[0]]), fmt_value(grid[beyond[-1]])
        said += (f"; beyond the last, {fmt_value(edges[-1])}, that input no longer changes and the average moves by "
                 f"only {points} from {first} to {last}" if moved <= FLAT * float(np.ptp(found.lines)) or
                 moved < 0.1 * found.span else
                 f"; beyond the last, {fmt_value(edges[-1])}, that input no longer changes, yet the average still "
                 f"moves by {points} from {first} to {last} with the column's own value")
    return [said + "."]


def _level(found: PartialDependence, value) -> str:
    return fmt_value(value) if found.numeric else f"'{value}'"


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"

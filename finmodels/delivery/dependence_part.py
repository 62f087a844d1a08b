"""The model document's 'How the score moves with its top columns': the partial dependence of the model's three most
important columns (by the SHAP importance the explainability section computed), each with its chart, its shape in
words and what a validator needs besides (`finmodels.explain.dependence_notes`: thin levels or codes, test rows
outside the values tried, the weight-of-evidence input's steps), computed as the Explain page and the HTML report
compute it (`finmodels.explain.dependence.partial_dependence`, 200 rows, 25 values): a run's held-out test rows, a
bundle's rows of the file it is documented on. The Governance page builds the document in its worker, so this runs
there; the `document` command runs it in its own process."""

from __future__ import annotations

import html
import time

from finmodels.delivery.html import Figure, bullets, paragraph
from finmodels.errors import FinModelsError

TOP_COLUMNS = 3  # as the HTML report (ui.dependence_views.REPORT_COLUMNS)


def dependence_part(source, explanation, frame, *, columns: int = TOP_COLUMNS, seed: int = 0) -> tuple[list, dict]:
    """The part's HTML fragments and Figures, and its findings ({column: PartialDependence.to_dict()}, with the
    seconds it took); ([], {}) for a model without one row per prediction or an explanation of lags."""
    from finmodels.explain.dependence import DEFAULT_POINTS, DEFAULT_ROWS, DEPENDENCE_KINDS, partial_dependence
    from finmodels.explain.dependence_notes import notes, thin_note
    from finmodels.explain.whatif import derived_inputs
    from finmodels.plots.dependence import plot_partial_dependence

    kind = getattr(source, "kind", None)
    if explanation is None or getattr(explanation, "lag_values", None) is not None or kind not in DEPENDENCE_KINDS:
        return [], {}
    started = time.perf_counter()
    bundle = hasattr(source, "manifest")
    derived = derived_inputs(source)
    parts, found, refused = [], {}, []
    for column in list(explanation.importance().index)[:columns]:
        try:
            one = partial_dependence(source, str(column), frame=frame if bundle else None, rows=DEFAULT_ROWS,
                                     points=DEFAULT_POINTS, seed=seed, target_class=explanation.target_class,
                                     derived=derived)
        except FinModelsError as exc:
            refused.append(f"{column}: {exc}")
            continue
        found[one.column] = one.to_dict()
        thin = thin_note(one)  # flagged, as the Explain page's warning
        parts += [f"<h4>{html.escape(str(one.column))}</h4>",
                  paragraph(f"On average, the {one.score_name} {one.shape}."), Figure(plot_partial_dependence(one))]
        parts += ([paragraph(thin, "flag")] if thin else []) + [bullets([s for s in notes(one) if s != thin])]
    if not found and not refused:
        return [], {}
    rows = "the run's held-out test rows" if not bundle else "the rows of the file documented"
    head = ["<h3>How the score moves with its top columns</h3>",
            paragraph(f"Partial dependence of the {columns} most important columns: {DEFAULT_ROWS} of {rows}, each "
                      "scored again with one column set to each value across the bulk of its training values (each "
                      "code or level of a coded or text column), the others as they are. The faint lines (dots, for "
                      "codes) are single rows; the bold line (markers, bars) their average. It shows how the model "
                      "responds, not what causes default.", "note")]
    if refused:
        parts.append(paragraph("Not drawn: " + "; ".join(refused), "note"))
    return head + parts, {"columns": found, "seconds": round(time.perf_counter() - started, 2)}

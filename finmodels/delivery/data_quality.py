"""The model document's data section: the file's shape and fingerprint, the target's share, the run's split, and
the quality findings the Data page lists for the same choices.

The Data page checks the file with the roles the analyst set (finmodels.data.validation.check_data): a numeric
column set to 'categorical' (Taiwan's EDUCATION codes 0 to 6) is no longer a number, so the checks of numbers
(special codes, 'may be category codes', rare codes, implausible values) leave it alone. The document checks the
file with the run's categories (TrainConfig.categories, or its preprocessing's), so it lists the page's findings,
not advice the analyst has already followed.
"""

from __future__ import annotations

import pandas as pd

from finmodels.data.tasks import BINARY
from finmodels.delivery.html import html_table, paragraph


def run_categories(facts) -> tuple[str, ...]:
    """The numeric columns the run read as categories (set to 'categorical' on the Data page, `--categorical` on the
    command line): its TrainConfig's, and its preprocessing's (a run's resolved settings, a bundle's config)."""
    config = facts.config
    prep = getattr(getattr(facts, "settings", None), "preprocessing", None) or getattr(config, "preprocessing", None)
    named = [*(getattr(config, "categories", None) or ()), *(getattr(prep, "categories", None) or ())]
    return tuple(dict.fromkeys(str(c) for c in named))


def quality_findings(frame: pd.DataFrame, target: str | None, features: list[str], categories=()) -> list:
    """The file's problems as the Data page finds them with `target` and the columns in `categories` set to
    'categorical' (those not in the file are ignored), for the `features` the model reads."""
    from finmodels.data.profiling import CATEGORICAL, profile
    from finmodels.data.validation import validate

    roles = {c: CATEGORICAL for c in categories if c in frame.columns and c != target}
    found = profile(frame, target=target, roles=roles)
    return validate(frame, found, features=[c for c in features if c in frame.columns])


def data_section(facts, frame: pd.DataFrame, *, data_name: str, fingerprint: str) -> tuple[list[str], list]:
    """The data section's HTML fragments and its quality findings (finmodels.data.validation.Problem)."""
    from finmodels.data.validation import ERROR

    target = facts.target if facts.target in frame.columns else None
    summary = pd.DataFrame({"item": ["source", "rows", "columns", "SHA-256 of the file", "model inputs"],
                            "value": [data_name, f"{len(frame):,}", f"{frame.shape[1]:,}", fingerprint,
                                      f"{len(facts.features)}: {', '.join(facts.features)}"]})
    parts = [html_table(summary)]
    if target and facts.kind == BINARY:
        from finmodels.data.targets import label_strings

        labels = label_strings(frame[target])
        share = float((labels == str(facts.event_label)).mean())
        parts.append(paragraph(f"Share of '{facts.event_label}' in '{target}': {share:.1%} of {labels.notna().sum():,} "
                               "rows with an outcome."))
    if facts.test_rows is not None:
        sizes = facts.source.split.sizes()
        parts.append(paragraph("The run's split: " + ", ".join(f"{k} {v:,} rows" for k, v in sizes.items()) +
                               f" ({facts.source.split.method})."))
    categories = [c for c in run_categories(facts) if c in frame.columns]
    problems = quality_findings(frame, target, facts.features, categories)
    parts.append("<h3>Quality findings</h3>")
    if categories:
        parts.append(paragraph(f"Checked as the Data page checks it, with {_names(categories)} set to 'categorical' "
                               "as in this run: the checks of numbers (special codes, category codes, outliers) leave "
                               f"{'them' if len(categories) > 1 else 'it'} alone.", "note"))
    if problems:
        table = pd.DataFrame({"severity": [p.severity for p in problems],
                              "column": [_where(p, frame) for p in problems], "finding": [p.message for p in problems]})
        parts.append(html_table(table))
        if any(p.severity == ERROR for p in problems):
            parts.append(paragraph("Errors stop training on the dashboard until fixed; this model was trained on a file "
                                   "without them, so they concern this file.", "note"))
    else:
        parts.append(paragraph("No problems found (missing targets, leakage, special codes, identifiers, dates, "
                               "implausible values, values far outside their column's bulk)."))
    return parts, problems


def _names(columns) -> str:
    quoted = [f"'{c}'" for c in columns]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _where(problem, frame: pd.DataFrame) -> str:
    """A finding's column, the columns a finding about several names ('code_columns'), else 'the whole file'."""
    if problem.column:
        return str(problem.column)
    named = [str(v) for v in problem.values if v in frame.columns]
    return ", ".join(named) if named else "the whole file"

"""A VaR backtest's figures in words, the same on the Evaluate page, in the report and on the Runs page: the
independence test's one name, the expected exceptions' one format, the warning when exceptions cluster (a Basel
zone counts exceptions only, so 'Green' can sit beside clustered losses), and the note when the network's VaR
breaks on exactly the days a baseline's does (on that window it adds nothing to the baseline).
"""

from __future__ import annotations

import numpy as np

INDEPENDENCE = "Christoffersen independence p"  # one name for the test of clustered exceptions, tile and tables
KUPIEC = "Kupiec p"
SIGNIFICANCE = 0.05


def expected_text(expected: float) -> str:
    """Expected exceptions in two decimals ('2.48' of 248 days at 99%), the same in every table and tile: the page
    rounded the portfolio's to one decimal (2.5) and printed the assets' raw (2.48)."""
    return f"{expected:.2f}"


def clustering_note(backtest, *, unit: str = "test days") -> str | None:
    """A warning when Christoffersen's independence test rejects at 5%: the exceptions cluster, which the Basel zone
    does not see; None when it does not reject (or could not be run)."""
    p = getattr(backtest, "christoffersen_p_value", None)
    if p is None or p != p or p >= SIGNIFICANCE:
        return None
    shown = "<0.001" if p < 0.0005 else f"{p:.3f}"
    zone = str(backtest.zone).capitalize()
    return (f"Exceptions cluster: {INDEPENDENCE} = {shown}, below {SIGNIFICANCE:.2f}, so the {backtest.exceptions:,} "
            f"exceptions over {backtest.days:,} {unit} are unlikely to be independent of each other. The Basel zone ({zone}) counts exceptions only: "
            "losses beyond the VaR came together, when the VaR did not rise fast enough.")


def same_days_note(risk) -> str | None:
    """When the network's portfolio VaR has its exceptions on exactly the days a baseline's has: say so, with how
    much higher or lower the network's VaR is on average; None when they differ."""
    backtests = getattr(risk, "backtests", None) or {}
    network = backtests.get("network")
    if network is None:
        return None
    same = [b for k, b in backtests.items() if k != "network" and len(b.dates) == len(network.dates)
            and np.array_equal(b.dates, network.dates)
            and np.array_equal(b.result.exception_days, network.result.exception_days)]
    if not same:
        return None
    first = same[0]
    ratio = float(np.nanmean(network.var) / np.nanmean(first.var) - 1)
    names = " and ".join(b.label.lower() if b.key != "ewma" else b.label for b in same)
    count = network.result.exceptions
    return (f"The network's VaR has its {count:,} exception{'s' if count != 1 else ''} on the same days as {names}: "
            "on this window its backtest adds nothing to "
            f"{'theirs' if len(same) > 1 else 'it'}. On average the network's VaR is {abs(ratio):.1%} "
            f"{'above' if ratio >= 0 else 'below'} {first.label.split(' (')[0].lower().replace('ewma', 'EWMA')}'s.")


__all__ = ["INDEPENDENCE", "KUPIEC", "SIGNIFICANCE", "clustering_note", "expected_text", "same_days_note"]

"""A loss-given-default book built at test time from the shipped German credit file.

None of the shared datasets has a loss, LGD or recovery column (see ../shared/datasets/README.md), so the tests of
the loss given default task add one to the 1,000 real German loans, as a workout department would record it:

- `ead`: the exposure at default, the credit amount still owed (50% to 100% of it, uniform);
- `pd`: the probability of default of the loan's credit-history segment, the file's own bad rate in that segment;
- `lgd`: the share of the exposure lost, drawn from a beta distribution (precision 3, so U-shaped as real LGDs are)
  whose mean rises with the loan size and falls with collateral (real estate lowest, no property highest) and with a
  guarantor or co-applicant; 8% of loans recover in full (LGD 0) and 6% are lost in full (LGD 1).

The `creditability` label is dropped: an LGD file holds defaulted loans' outcomes, not the application decision.
`outcome=True` keeps it (and drops `pd`, the label's own segment rate): a credit default model's file whose LGD and
EAD columns give its expected loss, PD x LGD x EAD.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

COLLATERAL = {"real estate": -1.2, "building society savings agreement/ life insurance": -0.5,
              "car or other, not in attribute Savings account/bonds": 0.0, "unknown / no property": 0.8}
SUPPORT = {"none": 0.0, "guarantor": -0.7, "co-applicant": -0.4}


def lgd_book(german: pd.DataFrame, *, seed: int = 0, outcome: bool = False) -> pd.DataFrame:
    """German credit with `ead`, `pd` and `lgd` columns added as described above, `creditability` dropped (or, with
    `outcome`, kept and `pd` dropped)."""
    rng = np.random.default_rng(seed)
    book = german.copy()
    bad = (book["creditability"] == "bad").astype(float)
    book["pd"] = bad.groupby(book["credit_history"]).transform("mean").round(4)
    book["ead"] = (book["credit_amount"] * rng.uniform(0.5, 1.0, len(book))).round(2)
    size = np.log(book["credit_amount"]) - np.log(book["credit_amount"]).mean()
    logit = (-0.3 + 0.6 * size + book["property"].map(COLLATERAL) + book["other_debtors_or_guarantors"].map(SUPPORT)
             + 0.01 * (book["duration_in_month"] - 20))
    mean = 1 / (1 + np.exp(-logit.to_numpy()))
    lgd = rng.beta(mean * 3, (1 - mean) * 3)
    edge = rng.uniform(size=len(book))
    lgd = np.where(edge < 0.08, 0.0, np.where(edge > 0.94, 1.0, lgd))
    book["lgd"] = lgd.round(4)
    return book.drop(columns=["pd"] if outcome else ["creditability"])

"""Runtime: where work runs and what it shares across the sessions of one server process.

`locks` holds the process-wide locks that training and explaining both respect.
"""

from finmodels.runtime.locks import GRADIENT_LOCK

__all__ = ["GRADIENT_LOCK"]

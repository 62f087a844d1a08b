"""Seconds and peak memory per stage of a command, for its JSON (`timings`) and for the scale measurements.

A thread samples the process's resident memory every 50 ms (and its child processes', should work run in one);
`mark(name)` closes the running stage and opens the next. Training reports its stages as notes ("Fitting the
network on 640,000 rows..."), which become stage names without the row count.
"""

from __future__ import annotations

import re
import threading
import time

SAMPLE_SECONDS = 0.05


def stage_name(note: str) -> str:
    """A training note as a stage name: 'Preprocessing 300,000 rows...' -> 'preprocessing rows'; the notes of
    cross-fitted networks ('Fitting the network 2 of 10 (cross-fitted) on ...') -> 'fitting the cross-fitted
    networks', one stage."""
    from finmodels.models.training.members import network_progress

    if network_progress(note):
        return "fitting the cross-fitted networks"
    text = re.sub(r"\d[\d,]* ", "", note).strip().rstrip(".")
    return text[:1].lower() + text[1:]


class StageClock:
    """Seconds and peak resident MB (this process and its children) of each stage, in order."""

    def __init__(self, first: str = "start"):
        import psutil

        self._process = psutil.Process()
        self._lock = threading.Lock()
        self._name, self._start = first, time.perf_counter()
        self._peak = self._overall = self.resident_mb()
        self._stages: list[dict] = []
        self._stop = threading.Event()
        threading.Thread(target=self._sample, daemon=True, name="stage-clock").start()

    def resident_mb(self) -> float:
        import psutil

        total = self._process.memory_info().rss
        for child in self._process.children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.Error:  # a child that ended between the listing and the reading
                pass
        return total / 2**20

    def _sample(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            now = self.resident_mb()
            with self._lock:
                self._peak = max(self._peak, now)
                self._overall = max(self._overall, now)

    def mark(self, name: str) -> None:
        """Close the running stage and start `name`."""
        now, resident = time.perf_counter(), self.resident_mb()
        with self._lock:
            self._stages.append({"stage": self._name, "seconds": round(now - self._start, 2),
                                 "peak_mb": round(max(self._peak, resident))})
            self._overall = max(self._overall, resident)
            self._name, self._start, self._peak = name, now, resident

    def note(self, text: str) -> None:
        name = stage_name(text)
        if name != self._name:  # the next of several networks goes on in the same stage
            self.mark(name)

    def close(self) -> dict:
        """{"stages": [{"stage", "seconds", "peak_mb"}, ...], "peak_mb": the whole run's peak}; stops sampling."""
        self.mark("")
        self._stop.set()
        return {"stages": self._stages, "peak_mb": round(self._overall)}

"""`python -m finmodels.bench --scoring`: seconds to score a file with a saved bundle, with reason codes."""

from __future__ import annotations

import json
import time

from finmodels.bench.cases import DATASETS, machine, peak_rss_mb

SCORING_ROWS, SCORING_THRESHOLD = 20_000, 0.30


def scoring_benchmark(key: str = "taiwan_default", *, rows: int = SCORING_ROWS,
                      threshold: float = SCORING_THRESHOLD) -> dict:
    """Seconds to score `rows` rows of a dataset with a saved bundle of its default network at `threshold`:
    with reason codes for every flagged row (the default), then for every row. Timings are printed, never
    asserted: the issue's budget is 30 s for the first on this machine."""
    from finmodels.data.reading import load_csv
    from finmodels.delivery.scoring import score_file
    from finmodels.models.bundle import bundle_bytes, load_bundle
    from finmodels.models.training import TrainConfig, train

    ds = DATASETS[key]
    frame = load_csv(ds.path)
    start = time.perf_counter()
    result = train(frame, TrainConfig(target=ds.target, task=ds.task))
    trained = time.perf_counter() - start
    bundle = load_bundle(bundle_bytes(result))
    new = frame.drop(columns=ds.target).sample(n=min(rows, len(frame)), random_state=0).reset_index(drop=True)
    out = {"dataset": key, "rows": len(new), "threshold": threshold, "train_seconds": round(trained, 2)}
    for reasons in ("flagged", "all"):
        start = time.perf_counter()
        scored = score_file(bundle, new, threshold=threshold, reasons=reasons)
        out[reasons] = {"seconds": round(time.perf_counter() - start, 2), "explained_rows": scored.explained_rows,
                        "flagged": scored.flagged}
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def print_scoring(found: dict) -> int:
    """The scoring benchmark's figures as sentences, then as one JSON line."""
    print(f"Scoring {found['rows']:,} rows of {found['dataset']} with a saved bundle at threshold "
          f"{found['threshold']} ({machine()}):")
    for reasons in ("flagged", "all"):
        r = found[reasons]
        print(f"  reason codes for {'the flagged' if reasons == 'flagged' else 'all'} rows: {r['seconds']:.1f} s "
              f"({r['explained_rows']:,} rows explained, {r['flagged']:,} flagged)")
    print(f"  (training the network first: {found['train_seconds']:.1f} s; peak memory {found['peak_rss_mb']:.0f} MB)")
    print(json.dumps(found))
    return 0

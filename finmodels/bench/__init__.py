"""Benchmark: the default network against logistic regression and gradient boosting, on the same CV folds.

`python -m finmodels.bench [--quick] [--out DIR] [--set NAME=VALUE ...]` runs each dataset in its own process
(so its peak memory is its own), with 5 stratified folds; in each fold the network and both baselines see the
same training rows and the same preprocessing, because all three come out of one `training.train` call: the
code path the dashboard uses, with the dashboard's defaults. The plain scikit-learn pipelines of `reference`
(each with its own preprocessing) are fitted on the same rows of the same folds. Writes `bench.json` and
`bench.md`, with the network's gap to the best baseline of each family against the issue's targets.
`--set` changes one default for an experiment (e.g. `--set piecewise_knots=128 --set units=[64]`); the run
records what was changed.

The modules, by job: `cases` (the datasets, the models compared, folds and `--set` experiments), `crossval`
(fitting every model on each fold, summaries and the gaps to the targets), `quality` (`--holdout`: CV on the
development rows, then a fixed held-out slice; quality.json and quality.md), `report` (bench.json and bench.md),
`scoring` (`--scoring`: scoring seconds with reason codes), `scale` (`--scale`: 100k to 1M-row loan books end
to end, seconds and memory per stage) and `cli` (the flags). `--panel` is `finmodels.portfolio.benchmark`'s.
"""

from finmodels.bench.cases import (DATASETS, MODEL_LABELS, MODELS, BenchDataset, cv_splits, experiment_config,
                                   parse_overrides)
from finmodels.bench.cli import main
from finmodels.bench.crossval import gaps, run_dataset, summarise
from finmodels.bench.quality import holdout_positions, quality_markdown, run_quality
from finmodels.bench.report import gap_table, markdown_table
from finmodels.bench.scoring import scoring_benchmark

__all__ = ["DATASETS", "MODELS", "MODEL_LABELS", "BenchDataset", "cv_splits", "experiment_config", "gap_table",
           "gaps", "holdout_positions", "main", "markdown_table", "parse_overrides", "quality_markdown",
           "run_dataset", "run_quality", "scale", "scoring_benchmark", "summarise"]

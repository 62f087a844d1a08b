"""Pure plot functions: data in, plotly Figure out, for the pages, the report and the tests."""

__all__ = ["data", "evaluation", "explanation", "monitoring", "runs", "style", "training"]

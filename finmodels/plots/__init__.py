"""Pure plot functions: data in, plotly Figure out, for the pages, the report and the tests."""

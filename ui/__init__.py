"""Streamlit-side helpers shared by app.py and the pages, so each page only reads widgets, calls finmodels or
these helpers, and renders.

- `navigation`: the registry of pages (path, label, icon, blurb), page links and switches
- `layout`: the app's settings and each page's header
- `state`: the names of what a session keeps, and the dataset and runs in it
- `data_choices`: the Data page's choices per table (target, event label, roles, task, features)
- `train_form`: the Train form's defaults and the TrainConfig it builds
- `jobs`: training in a background thread, its progress and collection into the session's runs
- `caches`: what a session computes once (evaluation figures, explanation, loaded bundle, scored file)
- `loading`, `messages`, `results`, `widgets`, `runtime`: loading data, errors as messages, a run's tiles and
  summary, widget values that survive page switches, the Streamlit runtime setting training depends on

Kept outside `pages/` because Streamlit turns every file there into a page.
"""

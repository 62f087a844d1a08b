"""Streamlit-side helpers shared by app.py and the pages: session state and message rendering.

Kept outside `pages/` because Streamlit turns every file there into a page.
"""

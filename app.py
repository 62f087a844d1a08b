"""Entry point: the navigation (pages named as an analyst reads them, ui.navigation) and the Home page (ui.home).

This process never imports TensorFlow: model work runs in the runner's worker processes (ui/runtime.py),
which start here, on the first page an analyst opens, so they are warm by the time Train is pressed.
"""

from ui import navigation, session
from ui.layout import configure_app

configure_app()
session.bootstrap()
navigation.app_navigation().run()

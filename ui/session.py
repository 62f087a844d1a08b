"""What survives a reload of the tab and a restart of the server: the analyst's workspace area, their current
data choice and their current run, carried in the page's address.

- **Area.** Each browser session works in its own area of the workspace (one MLflow experiment), named in the
  address as `?area=...`; a new session gets a new random name. An analyst sees their runs and not another's
  unless given the link. Where Streamlit's login is configured, the signed-in user's e-mail names the area.
- **Data.** `?data=sample:KEY` for a shipped sample; `?data=upload:FINGERPRINT` for an upload. An upload never
  reaches the disk: the server keeps each area's current upload in its memory (the last `UPLOADS_KEPT` areas),
  so a reload finds it; a restart of the server forgets it (the runs stay), and the analyst uploads it again.
- **Run.** `?run=RUN_ID`: the run Evaluate, Explain, Score and Report show, read back from the workspace.
- **Target.** `?target=COLUMN`: the target chosen on the Data page, picked again when the same data comes back.

A tab opened without them (an area page's address typed in a new tab, `/Evaluate?area=...`) is not empty: the area's
last data choice and target on this server (its memory, `_LAST`) come back, and the run is the one the area last
showed, else the area's newest run on that data, else (no data, the server restarted) its newest run. A tab opened
without even `?area=` (`/Evaluate` typed in the browser's address bar) works in the area this browser last worked
in, which a cookie (`finmodels_area`, the area's name only) remembers: the area it was first given, or one it made
or signed in to. A colleague's link (`?area=` naming another area) opens that area in its tab without taking the
cookie over, so the analyst's own next tab opens their own area.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections import OrderedDict

import pandas as pd
import streamlit as st

from finmodels.errors import FinModelsError

AREA, DATA, RUN, TARGET = "area", "data", "run", "target"
_AREA_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{2,63}$")
_KEY = "_session_area"
_ADDRESS = {"data": "_address_data", "run": "_address_run", "target": "_address_target"}  # what this session last
# put in the address
UPLOADS_KEPT = 32  # areas whose current upload this server keeps in memory, most recently used last


class AreaMemory:
    """What this server keeps in its memory for each area (never on disk), for the `size` areas used last.

    A key is an area's name, or a tuple that starts with it (an area and what it keeps under that area)."""

    def __init__(self, size: int):
        self._kept: OrderedDict = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, name, default=None):
        with self._lock:
            return self._kept.get(name, default)

    def put(self, name, value) -> None:
        with self._lock:
            self._kept.pop(name, None)
            self._kept[name] = value
            while len(self._kept) > self._size:
                self._kept.popitem(last=False)


_UPLOADS = AreaMemory(UPLOADS_KEPT)  # area -> (fingerprint, name, frame)
_LAST = AreaMemory(UPLOADS_KEPT)  # area -> {"data", "run", "target": what its tabs last chose}
COOKIE = "finmodels_area"  # the area this browser last worked in, for a tab opened without ?area=
_COOKIE_KEPT = "_area_cookie_written"
_FROM_LINK = "_area_from_link"  # the session's area came from its address, not from a login, the cookie or anew
_REFUSED = "_area_refused"  # an area name in the address that is not a valid name: the page says so once
OPENED = "_opened_from_area"  # {"data": name, "run": run id}: what a tab opened without them found in its area


def _login_name() -> str | None:
    try:
        user = st.user
        if getattr(user, "is_logged_in", False):
            return str(user.get("email") or user.get("name") or "") or None
    except Exception:  # Streamlit without auth configured
        return None
    return None


def area() -> str:
    """This session's workspace area: the signed-in user, else the address's, else a new random one."""
    if _KEY in st.session_state:
        return st.session_state[_KEY]
    name = _login_name()
    if name is not None:
        name = re.sub(r"[^A-Za-z0-9_.-]", "-", name)[:64]
    else:
        name = st.query_params.get(AREA)
        st.session_state[_FROM_LINK] = bool(name and _AREA_NAME.match(name))
        if name and not _AREA_NAME.match(name):
            st.session_state[_REFUSED] = name  # said on the page (`refused_area_note`), not skipped in silence
        if not name or not _AREA_NAME.match(name):
            name = _cookie_area()
        if not name or not _AREA_NAME.match(name):
            name = "a-" + secrets.token_hex(5)
    st.query_params[AREA] = name
    st.session_state[_KEY] = name
    return name


def _cookie_area() -> str | None:
    try:
        name = st.context.cookies.get(COOKIE)
    except Exception:  # no browser request behind the session
        return None
    return name if isinstance(name, str) else None  # a test's AppTest has no cookies


def _keep_cookie(name: str) -> None:
    """Once per session, have the browser remember `name` as its area (when it does not already): a tab opened
    later without ?area= then works in it, not in a new empty area. An area opened from a link does not replace
    the one the browser already remembers (a colleague's link is theirs)."""
    if st.session_state.get(_COOKIE_KEPT) == name:
        return
    st.session_state[_COOKIE_KEPT] = name
    kept = _cookie_area()
    if kept == name or (kept and _AREA_NAME.match(kept) and st.session_state.get(_FROM_LINK)):
        return
    # the name matches _AREA_NAME (letters, digits, '_', '.', '-'); the style hides the script's empty element (in
    # the sidebar it drew a line under the navigation)
    st.html("<style>[data-testid='stElementContainer']:has(script.area-cookie)"
            "{display: none}</style>"
            f"<script class='area-cookie'>document.cookie = '{COOKIE}={name}; path=/; max-age=31536000; "
            "SameSite=Lax';</script>", unsafe_allow_javascript=True)


def keep_address() -> None:
    """Write the area, data choice and run into the address on every page: Streamlit's page switches clear it,
    and a reload reads it back."""
    st.query_params[AREA] = area()
    _keep_cookie(area())
    for key in (DATA, RUN, TARGET):
        if _ADDRESS[key] not in st.session_state:  # a session's first page: the address it was opened with
            st.session_state[_ADDRESS[key]] = st.query_params.get(key)
        value = st.session_state.get(_ADDRESS[key])
        if value and st.query_params.get(key) != value:
            st.query_params[key] = value


def bootstrap() -> None:
    """What every page run needs first: a usable workspace (else a message, and the page stops), the runner's
    workers starting, and the address kept. app.py calls it; so does every page's header, because a server's
    very first session, opened by a deep link (`/Train?area=...`), runs the page without app.py."""
    problem = workspace_problem()
    if problem:
        st.error(problem)
        st.stop()
    from ui import runtime

    runtime.start()
    keep_address()
    refused_area_note()


def refused_area_note() -> None:
    """Once, after a tab was opened on an address whose area is not a valid name ('desk a', 'desk-a/../desk-b'):
    which area this tab works in instead, and how area names are written."""
    refused = st.session_state.pop(_REFUSED, None)
    if refused is None:
        return
    st.warning(f"The address names the area '{refused}', which is not a valid area name (3 to 64 letters, digits, "
               f"'.', '_' or '-', starting with a letter or digit), so this tab works in area **{area()}**. "
               "Area names are case-sensitive: 'desk-a' and 'DESK-A' are two areas. Check the link you were sent.",
               icon=":material/warning:")


def workspace():
    """This session's area of the workspace; a folder that cannot be written is a WorkspaceError."""
    from finmodels.runtime.workspace import Workspace

    return Workspace(area=area())


def workspace_problem() -> str | None:
    """The message to show at startup when the workspace cannot be used (a folder that cannot be written)."""
    try:
        workspace()
    except FinModelsError as exc:
        return str(exc)
    return None


def _last(key: str) -> str | None:
    """What the area's tabs last chose under `key` on this server (data, run or target)."""
    return _LAST.get(area(), {}).get(key)


def _remember(key: str, value: str | None) -> None:
    st.session_state[_ADDRESS[key]] = value
    _LAST.put(area(), {**_LAST.get(area(), {}), key: value})
    if value:
        st.query_params[key] = value
    elif key in st.query_params:
        del st.query_params[key]


def remember_sample(key: str) -> None:
    _remember(DATA, f"sample:{key}")


def remember_upload(name: str, raw: bytes, frame: pd.DataFrame) -> None:
    """Keep the area's current upload in this server's memory (never on disk), so that a reload finds it."""
    from finmodels.runtime.workspace import data_fingerprint

    fingerprint = data_fingerprint(frame)[:16]
    _UPLOADS.put(area(), (fingerprint, name, frame))
    _remember(DATA, f"upload:{fingerprint}")


def remembered_data() -> tuple[str, pd.DataFrame] | None:
    """(name, frame) of the data choice in the address, read again; None when there is none or it is gone. An address
    without one takes the area's last choice on this server (another tab's upload), and names it from then on."""
    choice = st.query_params.get(DATA) or st.session_state.get(_ADDRESS[DATA]) or ""
    if not choice and _last(DATA):
        found = _read_choice(_last(DATA))
        if found is not None:
            _remember(DATA, _last(DATA))
            if _last(TARGET) in set(map(str, found[1].columns)):
                _remember(TARGET, _last(TARGET))
            st.session_state[OPENED] = {"data": found[0]}
        return found
    return _read_choice(choice)


def forget_opened_data() -> None:
    """This tab loaded data itself: it no longer shows the area's last choice (ui.messages.opened_data_note)."""
    (st.session_state.get(OPENED) or {}).pop("data", None)


def _read_choice(choice: str) -> tuple[str, pd.DataFrame] | None:
    kind, _, value = choice.partition(":")
    if kind == "sample":
        from finmodels.data.samples import get_sample, load_sample

        try:
            return get_sample(value).label, load_sample(value)
        except FinModelsError:
            return None
    if kind == "upload":
        kept = _UPLOADS.get(area())
        if kept is not None and kept[0] == value:
            return kept[1], kept[2]
    return None


def remember_target(column: str | None) -> None:
    """The target chosen on the Data page, so a reload of the same data picks it again."""
    _remember(TARGET, column)


def remembered_target(columns) -> str | None:
    """The target in the address, when it is one of `columns`."""
    value = st.query_params.get(TARGET) or st.session_state.get(_ADDRESS[TARGET])
    return value if value in set(map(str, columns)) else None


def remember_run(run_id: str | None) -> None:
    _remember(RUN, run_id if run_id and not str(run_id).startswith("local-") else None)


def remembered_run_id() -> str | None:
    return st.query_params.get(RUN) or st.session_state.get(_ADDRESS[RUN]) or None


def area_run(frame: pd.DataFrame | None):
    """For a tab opened without ?run=: the run the area's tabs last showed on this server when it is of `frame`
    (the current data), else the area's newest run on `frame`, else, without data, the area's newest run; restored
    as `restore_run` does and named in the address. None when the area holds no such run."""
    from finmodels.runtime.workspace import data_fingerprint

    fingerprint = data_fingerprint(frame) if frame is not None else None
    try:
        newest = workspace().latest_run(fingerprint=fingerprint)
    except FinModelsError:
        return None
    if newest is None:
        return None
    for run_id in dict.fromkeys(filter(None, (_last(RUN), newest.run_id))):
        result = restore_run(run_id, frame)
        if result is not None and (frame is None or result.frame is not None):  # of the current data
            st.session_state.setdefault(OPENED, {})["run"] = run_id
            return result
    return None


def restore_run(run_id: str, frame: pd.DataFrame | None):
    """The run `run_id` from this area, detached, with its rows put back when `frame` is the data it was
    trained on (same fingerprint); None when the run is not there any more."""
    from finmodels.runtime.restore import with_rows

    try:
        result = workspace().load_result(run_id)
    except FinModelsError:
        return None
    return with_rows(result, frame) if frame is not None else result

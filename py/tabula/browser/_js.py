"""The browser adapters' shared helpers: page-relative URLs and dicts as plain JS objects.

Private to browser/ (the leading underscore): no module outside this package imports it.
"""

from __future__ import annotations

import js
from pyodide.ffi import to_js


def absolute(path: str) -> str:
    """`path` resolved against the document's base URI (the site works under any sub-path)."""
    return str(js.URL.new(path, js.document.baseURI).href)


def js_object(values: dict) -> object:
    """A plain JS object with `values` (not a Map), as JS APIs expect options."""
    return to_js(values, dict_converter=js.Object.fromEntries)

"""Hugging Face addresses and what the Hub says about a file. Pure.

A file on the Hub (or on a mirror or test server with the same layout) lives at
`<origin>/<owner>/<repo>/resolve/<revision>/<path>`; its web page is the same address with
`/blob/`. The Hub's model API answers, for a revision, each file's LFS `sha256` and `size`:
`<origin>/api/models/<owner>/<repo>/revision/<revision>?blobs=true`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

_FILE = re.compile(r"^(https?://[^/?#]+)/([^/?#]+/[^/?#]+)/(?:resolve|blob)/([^/?#]+)/([^?#]+)(?:[?#].*)?$")
_BLOB = re.compile(r"^(https?://[^/?#]+/[^/?#]+/[^/?#]+)/blob/")


@dataclass(frozen=True)
class HubFile:
    """Where a file sits on a Hub: origin, "owner/repo", revision and the path in the repo."""

    origin: str
    repo: str
    revision: str
    path: str

    @property
    def api(self) -> str:
        return f"{self.origin}/api/models/{self.repo}/revision/{self.revision}?blobs=true"


def hub_file(url: str) -> HubFile | None:
    """The Hub file an address names (its download or its page), or None."""
    match = _FILE.match(url.strip())
    return None if match is None else HubFile(*match.groups())


def resolve_url(url: str) -> str:
    """A file's download address: a Hub `/blob/` page becomes its `/resolve/` address."""
    return _BLOB.sub(r"\1/resolve/", url.strip(), count=1)


def lfs_facts(answer: str, path: str) -> tuple[str, int] | None:
    """(sha256, size) of `path` from the model API's JSON answer, or None when it does not say."""
    try:
        data = json.loads(answer)
    except ValueError:
        return None
    siblings = data.get("siblings") if isinstance(data, dict) else None
    for sibling in siblings if isinstance(siblings, list) else []:
        lfs = sibling.get("lfs") if isinstance(sibling, dict) else None
        if sibling.get("rfilename") == path and isinstance(lfs, dict):
            sha, size = lfs.get("sha256"), lfs.get("size")
            if isinstance(sha, str) and re.fullmatch(r"[0-9a-f]{64}", sha) and isinstance(size, int):
                return sha, size
    return None

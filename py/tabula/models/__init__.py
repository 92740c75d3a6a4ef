"""Models on this device: which exist, which fit, getting them here, and which one runs.

- `catalog`     ModelSpec records: the built-in catalogue, custom addresses, imported files
- `hub`         Hugging Face addresses (/blob/ -> /resolve/) and the Hub's LFS facts of a file
- `format`      is a file a loadable, whole model? (judged from its head and tail bytes)
- `gguf`        the size a GGUF file's own metadata and tensor table ask for (used by `format`)
- `fit`         DeviceReport and which model suits this device (assess, pick, upgrade)
- `downloader`  downloads: quota, resume, pause, delete (policy only; bytes stay behind the
                ModelStore port, models/ports.py, OPFS in browser/opfs.py); its parts:
  `ledger` (reports, room), `verifying` (verification, the ready record), `intake` (file imports),
  `set_transfers` (models made of several files: download, import, verify as one)
- `sets`        models made of several files: matching a picked folder, the ready manifest, abilities
- `transfers`   download records, speed and time left, retry delays, the messages people read
- `selection`   the model in use: added models, known token limits, the engine factory, Models
- `ownership`   which window of this origin runs the engine and the downloads (Web Locks)
May import: core (not State at run time), i18n, engine.
"""

__all__ = [
    "catalog",
    "downloader",
    "fit",
    "format",
    "gguf",
    "hub",
    "intake",
    "ledger",
    "ownership",
    "ports",
    "selection",
    "set_transfers",
    "sets",
    "transfers",
    "verifying",
]

"""Issue #16: a .gguf with a sane 24-byte header but cut short, or with nonsense metadata, is
refused on import (before a byte is copied) and on download from an address with no checksum
(deleted after the download), with a clear message; a whole one is kept. Fakes for the store."""

from __future__ import annotations

import struct

import pytest

from tabula.models import format as modelformat
from tabula.models.catalog import custom
from tabula.models.transfers import INCOMPLETE_DOWNLOAD, NOT_A_MODEL_DOWNLOAD
from tests.aio import run
from tests.gguf_bytes import small_model
from tests.unit.test_downloader import Rig, choice

WHOLE = small_model()
METADATA_END = 3000  # inside the tensor table of small_model (it ends at byte 5,779)


def nonsense_metadata() -> bytes:
    """The whole file with its first key's value type overwritten by 13 (no such type)."""
    data = bytearray(WHOLE)
    key_length = struct.unpack_from("<Q", data, 24)[0]
    struct.pack_into("<I", data, 32 + key_length, 13)
    return bytes(data)


CUT = {
    "cut in the tensor data": (WHOLE[: len(WHOLE) // 2], modelformat.TRUNCATED, INCOMPLETE_DOWNLOAD),
    "cut in the metadata": (WHOLE[:METADATA_END], modelformat.TRUNCATED, INCOMPLETE_DOWNLOAD),
    "last byte missing": (WHOLE[:-1], modelformat.TRUNCATED, INCOMPLETE_DOWNLOAD),
    "nonsense metadata": (nonsense_metadata(), modelformat.DAMAGED, NOT_A_MODEL_DOWNLOAD),
}


@pytest.mark.parametrize(("data", "imported", "downloaded"), CUT.values(), ids=CUT.keys())
def test_a_broken_gguf_import_is_refused_before_copying(data: bytes, imported: str, downloaded: str) -> None:
    async def scenario() -> None:
        rig = Rig()
        await rig.downloader.import_file(choice("cut.gguf", data))
        await rig.settle()
        assert rig.store.state.models_notice == imported
        assert rig.files.models == {} and rig.files.imports == [] and rig.pins == [] and rig.readied == []
        assert rig.store.state.downloads == () and rig.store.state.ready == frozenset()

    run(scenario())


@pytest.mark.parametrize(("data", "imported", "downloaded"), CUT.values(), ids=CUT.keys())
def test_a_broken_gguf_download_with_no_checksum_is_deleted(
    data: bytes, imported: str, downloaded: str
) -> None:
    async def scenario() -> None:
        spec = custom("https://host.example/files/model.gguf")
        rig = Rig(spec)
        rig.files.serve(spec.url, data)
        rig.downloader.start(spec.id)
        await rig.settle()
        job = rig.job(spec.id)
        assert job is not None and job.phase == "failed"
        assert job.message == downloaded.format(host="host.example")
        assert rig.files.models == {} and rig.pins == [] and rig.readied == []
        assert spec.id not in rig.store.state.ready

    run(scenario())


def test_bytes_after_the_last_tensor_are_kept() -> None:
    """llama.cpp only asks that every tensor ends inside the file, so trailing bytes are allowed."""

    async def scenario() -> None:
        data = WHOLE + b"\0" * 100
        rig = Rig()
        await rig.downloader.import_file(choice("padded.gguf", data))
        await rig.settle()
        assert rig.store.state.models_notice == "" and rig.files.bytes_of("file-padded") == data
        assert rig.store.state.ready == frozenset({"file-padded"})

    run(scenario())

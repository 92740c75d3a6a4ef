"""Downloader: gets models onto the device and keeps them there, only when the user asks.

Owns the policy: check the quota first, ask for persistent storage, fetch in chunks with HTTP
Range, resume after a drop (with backoff, sooner when the network returns), after a reload and
after a pause. Its parts: models/ledger.py (reports, room), models/verifying.py (verification, the
ready record), models/intake.py (imports from a file), models/set_transfers.py (models made of
several files, as one). Bytes stay behind the ModelStore port.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

from tabula.core.actions import ModelDeleted, ModelsStored
from tabula.i18n.translate import tr
from tabula.models.catalog import ModelSpec, owner_of, pin_from
from tabula.models.set_transfers import SetTransfers
from tabula.models.transfers import (
    CHANGED_RESTART,
    MARGIN,
    REFUSED_TYPES,
    STORAGE_PAUSED,
    WRONG_PART,
    RateMeter,
    Transfer,
    backoff,
    http_problem,
    size_text,
)
from tabula.models.verifying import host_of

GIVE_UP = 8  # failed attempts in a row, with no progress, before pausing until the user or the network


class Downloader(SetTransfers):
    """Runs downloads; one actor per model (its runs and deletes in order, each intent a new
    generation that the run checks before every side effect), any number of models."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._gave_up: set[str] = set()  # paused for lack of network: resumed when it returns
        self._wake: dict[str, asyncio.Event] = {}
        self._notes: dict[str, str] = {}  # a sentence the download's progress keeps showing
        self._runs: dict[str, int] = {}  # model id -> the generation of its latest run

    def start(self, model_id: str, switch: bool = False) -> None:
        """Download (or resume) a model; with `switch`, use it as soon as it is verified."""
        spec = self._spec(model_id)
        if spec is None or not spec.downloadable:
            return
        if model_id in self._running and self._live(model_id, self._runs.get(model_id, -1)):
            return  # downloading already
        generation = self._intent(model_id)
        self._runs[model_id] = generation
        self._paused.discard(model_id)
        self._gave_up.discard(model_id)
        self._notes.pop(model_id, None)
        self.plans.put(model_id, {"paused": False, "switch": switch})
        self._running.add(model_id)
        self.spawn(self._run(spec, switch, generation))

    def pause(self, model_id: str) -> None:
        self._intent(model_id)
        plan = self.plans.get(model_id)
        if plan is not None:
            self.plans.put(model_id, {**plan, "paused": True})
        self._halt(model_id)

    def delete(self, model_id: str) -> None:
        """Cancel a download or delete a stored model; either way the space is freed."""
        self._intent(model_id)
        self.plans.put(model_id, None)
        self._halt(model_id)
        self.spawn(self._delete(model_id))

    def suspend(self) -> None:
        """Another window took over the downloads: stop ours, keeping their plans for it; those
        that gave up for lack of network are its to resume too (never ours when it returns)."""
        for model_id in sorted(self._running):
            self._intent(model_id)
            self._halt(model_id)
        for model_id in sorted(self._gave_up):
            self._gave_up.discard(model_id)
            job = self.store.state.download(model_id)
            said = tr("Downloading in another Tabula window.")
            self._report(model_id, "paused", job.done if job else 0, job.total if job else None, message=said)

    def _halt(self, model_id: str) -> None:
        """Stop the model's transfer, and a retry waiting to start."""
        self._paused.add(model_id)
        self._gave_up.discard(model_id)
        self._event(model_id).set()
        self.files.abort(model_id)

    def network_back(self) -> None:
        """The device is online again: retry waiting downloads now, and resume those that gave up."""
        for event in self._wake.values():
            event.set()
        for model_id in sorted(self._gave_up):
            self.start(model_id, bool(self.plans.get(model_id, {}).get("switch")))

    async def restore(self, resume: bool = True) -> None:
        """At boot: list what is stored, pin what was verified, resume unfinished downloads (only
        with `resume`: in the window that runs the downloads)."""
        stored = await self.files.stored()
        ready = {s.model_id: s for s in stored if s.ready}
        for spec in self.store.state.catalog:
            pinned = pin_from(spec, ready[spec.id].ready, ready[spec.id].bytes) if spec.id in ready else None
            if pinned is not None:
                self.pinned(pinned)
        self.store.dispatch(ModelsStored(frozenset(ready)))
        partial = {s.model_id: s.bytes for s in stored if not s.ready}
        for model_id, plan in self.plans.all().items():
            if model_id in ready or self._spec(model_id) is None:
                self.plans.put(model_id, None)
            elif plan.get("paused") or not resume:
                total = spec.bytes or None if (spec := self._spec(model_id)) else None
                said = tr("Paused.") if plan.get("paused") else tr("Downloading in another Tabula window.")
                self._report(model_id, "paused", partial.get(model_id, 0), total, message=said)
            else:
                self.start(model_id, bool(plan.get("switch")))
        await self.measure()

    # --- the download itself ------------------------------------------------------------

    async def _run(self, spec: ModelSpec, switch: bool, generation: int) -> None:
        async with self._actor(spec.id):
            await self._act(spec, switch, generation)

    async def _act(self, spec: ModelSpec, switch: bool, generation: int) -> None:
        try:
            if spec.files:
                return await self._fetch_set(spec, switch, generation)
            expected = await self._expected(spec)
            if expected is None or not self._live(spec.id, generation):
                return
            spec = expected
            total = await self._fetch_all(spec, generation)
            if total is not None and self._live(spec.id, generation):
                await self._verify(spec, total, switch, generation)
        except Exception as error:  # storage refused, or a bug: never leave a download spinning
            if "QuotaExceededError" in str(error):
                done = await self.files.prepare(spec.id, self.chunk, spec.bytes if spec.sha256 else None)
                self._storage_full(spec, done, spec.bytes or None)
            else:
                self._fail(spec.id, tr("The download stopped unexpectedly: {error}", error=error))
        finally:
            if self._runs.get(spec.id) == generation:
                self._running.discard(spec.id)
            self.spawn(self.measure())

    async def _fetch_all(self, spec: ModelSpec, generation: int) -> int | None:
        """Fetch until every byte is stored; the total, or None when it ended otherwise."""
        total = spec.bytes if spec.sha256 else None
        if not await self._room_and_persistence(spec, generation):
            return None
        failures, meter, whole = 0, RateMeter(), False
        done = await self.files.prepare(spec.id, self.chunk, total)
        while total is None or done < total:
            if not self._live(spec.id, generation):
                self._stopped(spec.id, generation, done, total)
                return None
            connecting = self._notes.get(spec.id) or tr("Connecting to {host}…", host=host_of(spec.url))
            self._report(spec.id, "downloading", done, total, message=connecting)
            result = await self._fetch_once(spec, done, total, meter, whole)
            whole = result.kind == "whole"  # Range ignored: next, take a 200 past the stored bytes
            if result.kind in ("changed", "whole") and self._live(spec.id, generation):
                if result.kind == "changed":
                    done, total = await self._start_over(spec), (spec.bytes if spec.sha256 else None)
                continue
            total = total or result.total or (result.written if result.kind == "done" else None)
            failures = 0 if result.written > done else failures + 1
            done = await self.files.prepare(spec.id, self.chunk, total)
            if not await self._proven_start(spec, result, done, generation):
                return None
            if result.kind == "done" and (total is None or done >= total):
                return done
            if not await self._after(spec, result, done, total, failures, generation):
                return None
        return done

    async def _room_and_persistence(self, spec: ModelSpec, generation: int) -> bool:
        if spec.id in self._offsets:  # one file of a set: the room for the set was checked
            return True
        room = tr("Checking there is room on this device…")
        self._report(spec.id, "checking", 0, spec.bytes or None, message=room)
        have = sum(s.bytes for s in await self.files.stored() if s.model_id == spec.id)
        if not self._live(spec.id, generation):
            self._stopped(spec.id, generation, have, spec.bytes or None)
            return False
        if not await self._room_for(spec, have):
            return False
        await self._persist_once()
        return True

    async def _fetch_once(
        self, spec: ModelSpec, done: int, total: int | None, meter: RateMeter, whole: bool
    ) -> Transfer:
        """One fetch from `done`, asking for the file the stored bytes came from (its validator)."""
        known = self.plans.validator(spec.id) if done else ""
        progress = self._progress(spec.id, total, meter)
        result = await self.files.fetch(
            spec.id, spec.url, done, self.chunk, progress, REFUSED_TYPES, known, whole
        )
        if (
            result.validator
            and not known
            and result.kind not in ("type", "changed")
            and self.plans.get(spec.id)
        ):
            self.plans.remember(spec.id, result.validator)
        return result

    async def _start_over(self, spec: ModelSpec) -> int:
        """The file changed upstream: drop the bytes of the old one and begin again, saying so."""
        await self.files.remove(spec.id)
        self.plans.remember(spec.id, "")
        self._notes[spec.id] = tr(CHANGED_RESTART)
        return 0

    def _stopped(self, model_id: str, generation: int, done: int, total: int | None) -> None:
        """A newer intent stopped this run: show a pause, unless a Delete or a newer run says more."""
        plan = self.plans.get(model_id)
        if plan and (plan.get("paused") or self._runs.get(owner_of(model_id)) == generation):
            self._report(model_id, "paused", done, total, message=tr("Paused. Resume continues from here."))

    async def _after(
        self, spec: ModelSpec, result: Transfer, done: int, total: int | None, failures: int, generation: int
    ) -> bool:
        """Decide what follows a transfer that did not finish; True to fetch again."""
        if result.kind == "aborted" or not self._live(spec.id, generation):
            self._stopped(spec.id, generation, done, total)
            return False
        if result.kind == "quota":
            return self._storage_full(spec, done, total)
        if result.kind == "http":
            return self._fail(spec.id, http_problem(result.status), done, total)
        if result.kind == "range":
            return self._fail(spec.id, tr(WRONG_PART, host=host_of(spec.url)), done, total)
        if failures >= GIVE_UP:
            self._gave_up.add(owner_of(spec.id))
            paused = tr("Paused: no connection. Tap Resume to try again.")
            self._report(spec.id, "paused", done, total, message=paused)
            return False
        delay = backoff(failures)
        host, seconds = host_of(spec.url), f"{delay:.0f}"
        waiting = tr("No connection to {host} — retrying in {seconds} s.", host=host, seconds=seconds)
        self._report(spec.id, "waiting", done, total, message=waiting)
        await self._nap(spec.id, delay)
        if not self._live(spec.id, generation):
            return await self._after(spec, Transfer("aborted", done), done, total, failures, generation)
        return True

    # --- helpers ------------------------------------------------------------------------

    def _storage_full(self, spec: ModelSpec, done: int, total: int | None) -> bool:
        """Pause, keeping every whole chunk, and say how much room to make (for a file of a set:
        the set's rest, counted from the set's bytes so far)."""
        self.plans.put(spec.id, {**(self.plans.get(spec.id) or {"switch": False}), "paused": True})
        before, whole = self._offsets.get(spec.id, (0, (total or spec.bytes)))
        need = size_text(max(whole - before - done, 0) + MARGIN)
        said = tr(STORAGE_PAUSED, need=need, done=size_text(before + done))
        self._report(spec.id, "paused", done, total, message=said)
        return False

    async def _delete(self, model_id: str) -> None:
        async with self._actor(model_id):  # after the run it stopped, before any later one
            await self.files.remove(model_id)
        self.store.dispatch(ModelDeleted(model_id))
        await self.measure()

    def _event(self, model_id: str) -> asyncio.Event:
        return self._wake.setdefault(model_id, asyncio.Event())

    async def _nap(self, model_id: str, seconds: float) -> None:
        """Wait before a retry; pause, delete or the network's return cut it short."""
        event = self._event(model_id)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout=seconds * self.delay_scale)
        event.clear()

    def _progress(self, model_id: str, total: int | None, meter: RateMeter) -> Callable[[int], None]:
        def report(done: int) -> None:
            speed = meter.add(self.clock(), done)
            self._report(model_id, "downloading", done, total, speed, self._notes.get(model_id, ""))

        return report

"""FetchCloudClient (cloud.ports.CloudClient) over the browser's fetch, for the optional cloud engine;
and fetch_text, a plain GET of a small text (the Hugging Face model API the downloader asks).

Only request text and response text cross: the key travels in the request's headers (built by
cloud/wire.py), the body is read as text chunks with a TextDecoder. Each request has its own
AbortController, bound to that request's CloudCall: cancelling one aborts it alone.
"""

from __future__ import annotations

from collections.abc import Callable

import js
from pyodide.ffi import JsException, to_js

from tabula.cloud.ports import CloudCall
from tabula.cloud.wire import CloudError, CloudRequest, http_error, network_error


def _init(request: CloudRequest, signal: object) -> object:
    headers = js.Headers.new()
    for name, value in request.headers:
        headers.append(name, value)
    options = {
        "method": "POST",
        "headers": headers,
        "body": request.body,
        "signal": signal,
        "cache": "no-store",
    }
    return to_js(options, dict_converter=js.Object.fromEntries)


class FetchCloudClient:
    @staticmethod
    def _controller(call: CloudCall) -> object:
        controller = js.AbortController.new()
        call.bind(lambda: controller.abort())
        return controller

    async def _open(self, request: CloudRequest, controller: object) -> object:
        try:
            response = await js.fetch(request.url, _init(request, controller.signal))
        except JsException as error:
            raise self._failure(controller, str(error)) from None
        if not response.ok:
            raise http_error(int(response.status), str(await response.text()))
        return response

    def _failure(self, controller: object, detail: str) -> CloudError:
        if controller.signal.aborted:
            return CloudError("cancelled", "Stopped.")
        return network_error(detail)

    async def send(self, request: CloudRequest, call: CloudCall) -> str:
        controller = self._controller(call)
        response = await self._open(request, controller)
        try:
            return str(await response.text())
        except JsException as error:
            raise self._failure(controller, str(error)) from None

    async def stream(self, request: CloudRequest, on_text: Callable[[str], None], call: CloudCall) -> None:
        controller = self._controller(call)
        reader = (await self._open(request, controller)).body.getReader()
        decoder = js.TextDecoder.new()
        stream = to_js({"stream": True}, dict_converter=js.Object.fromEntries)
        while True:
            try:
                part = await reader.read()
            except JsException as error:
                raise self._failure(controller, str(error)) from None
            if part.done or call.cancelled:
                break
            on_text(str(decoder.decode(part.value, stream)))
        if call.cancelled:
            raise CloudError("cancelled", "Stopped.")


ASK_TIMEOUT_MS = 10_000  # an unreachable host must not hold a download: then the catalogue's facts


async def fetch_text(url: str) -> str | None:
    """GET `url`'s text (the Hub's model API, no credentials); None when it cannot be reached,
    is refused by CORS or answers anything but 200."""
    try:
        options = {"cache": "no-store", "signal": js.AbortSignal.timeout(ASK_TIMEOUT_MS)}
        response = await js.fetch(url, to_js(options, dict_converter=js.Object.fromEntries))
        return str(await response.text()) if int(response.status) == 200 else None
    except JsException:
        return None

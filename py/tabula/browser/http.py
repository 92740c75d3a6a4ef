"""FetchCloudClient (cloud.ports.CloudClient) over the browser's fetch, for the optional cloud engine.

Only request text and response text cross: the key travels in the request's headers (built by
cloud.py), the body is read as text chunks with a TextDecoder. cancel() aborts every request.
"""

from __future__ import annotations

from collections.abc import Callable

import js
from pyodide.ffi import JsException, to_js

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
    def __init__(self) -> None:
        self._controllers: list[object] = []  # JsProxies are not hashable

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

    async def send(self, request: CloudRequest) -> str:
        controller = js.AbortController.new()
        self._controllers.append(controller)
        try:
            response = await self._open(request, controller)
            try:
                return str(await response.text())
            except JsException as error:
                raise self._failure(controller, str(error)) from None
        finally:
            self._controllers.remove(controller)

    async def stream(self, request: CloudRequest, on_text: Callable[[str], None]) -> None:
        controller = js.AbortController.new()
        self._controllers.append(controller)
        try:
            reader = (await self._open(request, controller)).body.getReader()
            decoder = js.TextDecoder.new()
            stream = to_js({"stream": True}, dict_converter=js.Object.fromEntries)
            while True:
                try:
                    part = await reader.read()
                except JsException as error:
                    raise self._failure(controller, str(error)) from None
                if part.done:
                    break
                on_text(str(decoder.decode(part.value, stream)))
        finally:
            self._controllers.remove(controller)

    def cancel(self) -> None:
        for controller in list(self._controllers):
            controller.abort()

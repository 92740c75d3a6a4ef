"""Messages made by the core come out in the language in use, and in English exactly as before."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tabula.chat.conversations import INTERRUPTED, from_record, title_for
from tabula.cloud.wire import blocked, http_error, looks_like_key, network_error
from tabula.core.decide import Context, decide
from tabula.engine.errors import EngineError, Problem
from tabula.i18n import translate as i18n
from tabula.models.format import NOT_A_MODEL, problem
from tabula.models.transfers import MB, Quota, eta_text, http_problem, quota_problem
from tabula.study.structured import StructuredError, parse_quiz

OFFLINE = Context(
    model_ready=False, model_label="", has_key=True, private=False, online=False,
    cloud_model="gemma-4-26b-a4b-it", local_structured=False,
)  # fmt: skip


@pytest.fixture(autouse=True)
def english_after() -> Iterator[None]:
    yield
    i18n.use("en")


def both(make: object) -> tuple[str, str]:
    """What `make()` says in English, then in Spanish."""
    assert callable(make)
    i18n.use("en")
    english = make()
    i18n.use("es")
    return english, make()


def test_a_refused_api_key_is_explained_in_spanish() -> None:
    en, es = both(lambda: http_error(401, "").message)
    assert en == (
        "The API key was refused (HTTP 401). Check it in Settings; it may be mistyped, "
        "restricted, or not allowed to use the Gemini API."
    )
    assert es.startswith("Se rechazó la clave de API (HTTP 401).") and "Ajustes" in es


def test_a_quota_problem_keeps_its_sizes_in_spanish() -> None:
    en, es = both(lambda: quota_problem(2000 * MB, Quota(quota=1000 * MB, usage=0)))
    assert en.startswith("Not enough storage: this model needs 2.0 GB more, but the browser lets Tabula")
    assert es.startswith("No hay suficiente almacenamiento: este modelo necesita 2.0 GB más")
    assert "Tabula use 1.0 GB más" in es


def test_an_unavailable_feature_says_why_and_what_to_do_in_spanish() -> None:
    i18n.use("es")
    quiz = decide("quiz", OFFLINE)
    assert quiz.badge == "No disponible · sin conexión"
    assert quiz.reason == (
        "Los cuestionarios necesitan el servicio en la nube, que no se puede usar porque "
        "este dispositivo no tiene conexión."
    )
    assert quiz.fix.startswith("Vuelve a conectarte a internet. O descarga un modelo")
    i18n.use("en")
    assert decide("quiz", OFFLINE).badge == "Unavailable · offline"


def test_several_blockers_are_joined_the_spanish_way() -> None:
    ctx = Context(False, "", False, True, True, "m", False)
    en, es = both(lambda: decide("chat", ctx).reason)
    assert en.endswith("because private mode keeps everything on this device and no Gemini API key is set.")
    assert es.endswith(
        "el modo privado mantiene todo en este dispositivo y no hay ninguna clave de API de Gemini configurada."
    )


def test_download_texts_in_spanish() -> None:
    assert both(lambda: eta_text(600)) == ("about 10 min left", "quedan unos 10 min")
    assert both(lambda: eta_text(30)) == ("less than a minute left", "queda menos de un minuto")
    assert both(lambda: eta_text(6 * 3600)) == ("about 6.0 h left", "quedan unas 6.0 h")
    en, es = both(lambda: http_problem(404))
    assert en == "The model file was not found at its address (HTTP 404)."
    assert es == "No se encontró el archivo del modelo en su dirección (HTTP 404)."


def test_an_engine_error_reads_in_the_language_shown_now() -> None:
    error = EngineError(Problem.NO_MODEL)
    assert error.message == "No model is loaded. Choose one in Models."
    i18n.use("es")
    assert error.message == "No hay ningún modelo cargado. Elige uno en Modelos."


def test_english_constants_stay_english_and_translate_where_used() -> None:
    i18n.use("es")
    assert NOT_A_MODEL.startswith("This is not a model file")
    assert problem(b"notamodel", b"", 5000) == i18n.tr(NOT_A_MODEL)
    assert problem(b"notamodel", b"", 5000).startswith("Este no es un archivo de modelo")
    record = {
        "v": 1, "id": "c1", "title": "t", "created": 1.0, "updated": 1.0,
        "messages": [{"id": 1, "role": "model", "text": "Hal", "status": "streaming"}],
    }  # fmt: skip
    note = from_record(record).messages[0].note
    assert note != INTERRUPTED and note.startswith("Interrumpida:")
    assert title_for(()) == "Nuevo chat"


def test_cloud_details_and_blocks_in_spanish() -> None:
    en, es = both(lambda: network_error("Failed to fetch").message)
    assert en.endswith("try again. (Details: Failed to fetch)")
    assert es.endswith("vuelve a intentarlo. (Detalles: Failed to fetch)")
    en, es = both(lambda: blocked({"promptFeedback": {"blockReason": "SAFETY"}}))
    assert en == (
        "The cloud service refused this request because it was flagged by the service's safety "
        "filters. Try rephrasing it."
    )
    assert "porque los filtros de seguridad del servicio la marcaron" in (es or "")
    assert both(lambda: looks_like_key(""))[1] == "Pega tu clave de API de Gemini (de Google AI Studio)."


def test_quiz_problems_name_the_question_in_spanish() -> None:
    def complaint() -> str:
        with pytest.raises(StructuredError) as caught:
            parse_quiz('[{"question": "Q", "choices": ["a", ""], "answer": 0}]')
        return str(caught.value)

    assert both(complaint) == (
        "Question 1, choice 2, must be some text.",
        "La opción 2 de la pregunta 1 debe contener texto.",
    )

"""The Spanish UI catalogue: English text → Spanish text (see tabula.i18n). Data only.

Kept in three parts so each area's strings sit together: the pages and header here, the chat
and conversations in `es_chat`, and messages from the domains (errors, downloads, cloud,
routing) in `es_core`, documents in `es_docs`, photos and voice notes in `es_media`,
models made of several files in `es_sets`.
"""

from tabula.i18n.es_chat import CHAT
from tabula.i18n.es_core import MESSAGES
from tabula.i18n.es_docs import DOCS
from tabula.i18n.es_media import MEDIA
from tabula.i18n.es_sets import SETS

PAGES: dict[str, str] = {
    # The header, footer and update banner
    "Chat": "Chat",
    "Study": "Estudio",
    "Models": "Modelos",
    "Settings": "Ajustes",
    "{page} · Tabula": "{page} · Tabula",
    "About Tabula": "Acerca de Tabula",
    "Main": "Principal",
    "Answers from": "Respuestas de",
    "Engine": "Motor",
    "Online": "En línea",
    "Offline": "Sin conexión",
    "No model": "Sin modelo",
    "Loading model…": "Cargando modelo…",
    "Ready": "Listo",
    "Generating": "Generando",
    "Finishing previous answer…": "Terminando la respuesta anterior…",
    "Engine error": "Error del motor",
    "Update available — a new version of Tabula is ready.": (
        "Actualización disponible: hay una nueva versión de Tabula lista."
    ),
    "Reload": "Recargar",
    "Tabula was updated in another window. Reload this one to keep working.": (
        "Tabula se actualizó en otra ventana. Recargue esta para seguir trabajando."
    ),
    "Tabula will reload with the new version as soon as the work in progress is finished.": (
        "Tabula se recargará con la nueva versión en cuanto termine el trabajo en curso."
    ),
    "Dismiss": "Cerrar",
    "Tabula is open in another window, which runs the model and the downloads.": (
        "Tabula está abierta en otra ventana, que ejecuta el modelo y las descargas."
    ),
    "Use Tabula here": "Usar Tabula aquí",
    "Something went wrong in the background: {error}": "Algo falló en segundo plano: {error}",
    # About and not found
    "About": "Acerca de",
    "Versions": "Versiones",
    "Tabula runs Google's **Gemma** models on this device, in the browser, with no server.\n"
    "Once a model is downloaded it works with the network off.": (
        "Tabula ejecuta los modelos **Gemma** de Google en este dispositivo, en el navegador, sin servidor.\n"
        "Una vez descargado un modelo, funciona sin conexión a la red."
    ),
    "**Privacy.** What you type stays on this device. Nothing is sent anywhere unless you switch\n"
    "on the optional cloud engine yourself.": (
        "**Privacidad.** Lo que escribes se queda en este dispositivo. No se envía nada a ningún lado,\n"
        "salvo que tú mismo actives el motor en la nube opcional."
    ),
    "The app is written in Python running in your browser ([PyScript](https://pyscript.net) on\n"
    "Pyodide) and uses MediaPipe's LLM Inference on WebGPU.": (
        "La app está escrita en Python y se ejecuta en tu navegador ([PyScript](https://pyscript.net) sobre\n"
        "Pyodide); usa LLM Inference de MediaPipe sobre WebGPU."
    ),
    "Page not found": "Página no encontrada",
    "There is no page at {page}.": "No hay ninguna página en {page}.",
    "Go to chat": "Ir al chat",
    # Study
    "Topic or notes": "Tema o apuntes",
    "Photosynthesis — or paste a page of notes": "Fotosíntesis, o pega una página de apuntes",
    "Quiz me": "Ponme a prueba",
    "Mind map": "Mapa mental",
    "{feature}…": "{feature}…",
    "Working on it…": "Trabajando en ello…",
    "{right} of {total} right.": "{right} de {total} correctas.",
    "Check answers": "Revisar respuestas",
    "Right.": "Correcto.",
    "The answer is: {answer}.": "La respuesta es: {answer}.",
    # Models
    "This device": "Este dispositivo",
    "Add a model": "Agregar un modelo",
    "Address of a .task or .gguf file": "Dirección de un archivo .task o .gguf",
    "Name (optional)": "Nombre (opcional)",
    "Add": "Agregar",
    "Import from a file on this device (no network needed)": (
        "Importar desde un archivo de este dispositivo (no hace falta red)"
    ),
    "This build ships no model. Add one below.": "Esta versión no incluye ningún modelo. Agrega uno más abajo.",
    "{model} fits this device and answers better. Download it ({size}) in the background; "
    "you can keep chatting, and Tabula switches to it once it is checked.": (
        "{model} cabe en este dispositivo y responde mejor. Descárgalo ({size}) en segundo plano; "
        "puedes seguir chateando y Tabula cambiará a él cuando esté verificado."
    ),
    "Download and switch": "Descargar y cambiar",
    "Recommended": "Recomendado",
    "size unknown": "tamaño desconocido",
    "catalogue": "catálogo",
    "embedded": "incluido",
    "custom": "personalizado",
    "imported": "importado",
    "Needs: {requirements}": "Requiere: {requirements}",
    "In use": "En uso",
    "Use this model": "Usar este modelo",
    "Pause": "Pausar",
    "Delete": "Eliminar",
    "Cancel download": "Cancelar descarga",
    "Resume": "Reanudar",
    "Try again": "Reintentar",
    "Keep for offline use": "Guardar para usar sin conexión",
    "Download ({size})": "Descargar ({size})",
    "Download": "Descargar",
    "On this device · works offline": "En este dispositivo · funciona sin conexión",
    "Loads from this site (online)": "Se carga desde este sitio (en línea)",
    "Not downloaded": "No descargado",
    "{done} of {total}": "{done} de {total}",
    "{size}/s": "{size}/s",
    "Checking this device…": "Revisando este dispositivo…",
    "none: this browser has no WebGPU": "ninguno: este navegador no tiene WebGPU",
    "{adapter} (a software renderer: the CPU draws)": "{adapter} (un renderizador por software: dibuja la CPU)",
    "CPU engine": "Motor de CPU",
    "one thread: the page is cross-origin isolated, but this device has too few cores for more": "un hilo: la página está aislada entre orígenes, pero este dispositivo tiene muy pocos núcleos para más",
    "{threads} threads: the page is cross-origin isolated (the service worker adds the headers)": "{threads} hilos: la página está aislada entre orígenes (el service worker añade las cabeceras)",
    "one thread for now: the offline copy was just installed; from the next start the page is cross-origin isolated and it can use {threads}": "un hilo por ahora: la copia sin conexión se acaba de instalar; desde el próximo inicio la página está aislada entre orígenes y puede usar {threads}",
    "one thread: this browser does not isolate the page, so wasm threads are off": "un hilo: este navegador no aísla la página, así que los hilos de wasm están desactivados",
    "one thread: this browser has no shared memory for wasm threads (SharedArrayBuffer)": "un hilo: este navegador no tiene memoria compartida para los hilos de wasm (SharedArrayBuffer)",
    "CPU engine build": "Versión del motor de CPU",
    "the main build (wasm JSPI and Memory64)": "la versión principal (wasm JSPI y Memory64)",
    "the Safari build (no wasm JSPI or Memory64 here: slower)": "la versión para Safari (aquí no hay wasm JSPI ni Memory64: más lenta)",
    "GPU adapter": "Adaptador de GPU",
    "unknown vendor": "fabricante desconocido",
    "unknown architecture": "arquitectura desconocida",
    "16-bit GPU math (shader-f16)": "Cálculo de GPU de 16 bits (shader-f16)",
    "yes": "sí",
    "no (32-bit mode)": "no (modo de 32 bits)",
    "Largest GPU buffer": "Búfer de GPU más grande",
    "Largest storage binding": "Enlace de almacenamiento más grande",
    "Memory (reported)": "Memoria (informada)",
    "not reported": "no informado",
    "CPU cores": "Núcleos de CPU",
    "Storage": "Almacenamiento",
    "private files (OPFS, writable streams)": "archivos privados (OPFS, flujos de escritura)",
    "private files (OPFS, sync access handles in a worker)": "archivos privados (OPFS, accesos síncronos en un worker)",
    "none: this browser cannot keep models": "ninguno: este navegador no puede guardar modelos",
    "size not reported": "tamaño no informado",
    "{used} used of {quota}": "{used} usados de {quota}",
    "kept (persistent)": "se conserva (persistente)",
    "may be cleared by the browser when space runs low": "el navegador puede borrarlo si falta espacio",
    "unknown": "desconocido",
    # Settings
    "Temperature": "Temperatura",
    "0 is focused and repeatable, 2 is adventurous.": "0 es preciso y repetible; 2 es aventurero.",
    "Top-k": "Top-k",
    "Max tokens": "Máximo de tokens",
    "This model accepts up to {limit} (prompt + answer).": (
        "Este modelo acepta hasta {limit} (instrucción + respuesta)."
    ),
    "Prompt + answer.": "Instrucción + respuesta.",
    "Random seed": "Semilla aleatoria",
    "System prompt": "Instrucción del sistema",
    "Save": "Guardar",
    "Restore defaults": "Restablecer valores predeterminados",
    "Not saved:": "No se guardó:",
    "If answers stop coming, restart the engine. Your chat is kept.": (
        "Si las respuestas dejan de llegar, reinicia el motor. Tu chat se conserva."
    ),
    "Restart engine": "Reiniciar motor",
    "Cloud engine (optional)": "Motor en la nube (opcional)",
    "Chat runs on this device. With your own Gemini API key, Tabula can also use Google's cloud "
    "for quizzes and mind maps (and for chat when no model is downloaded). Each answer says where it came from.": (
        "El chat se ejecuta en este dispositivo. Con tu propia clave de API de Gemini, Tabula también puede "
        "usar la nube de Google para cuestionarios y mapas mentales (y para el chat cuando no hay ningún "
        "modelo descargado). Cada respuesta indica de dónde viene."
    ),
    "Gemini API key": "Clave de API de Gemini",
    "Saved key: {key}. Leave empty to keep it.": "Clave guardada: {key}. Deja el campo vacío para conservarla.",
    "No key on this device.": "No hay ninguna clave en este dispositivo.",
    "Remember the key on this device": "Recordar la clave en este dispositivo",
    "This session only (forgotten when this tab closes)": (
        "Solo esta sesión (se olvida al cerrar esta pestaña)"
    ),
    "Where the key is kept": "Dónde se guarda la clave",
    "On a shared address such as user.github.io, the other sites there can read a remembered key.": (
        "En una dirección compartida como user.github.io, los demás sitios que hay en ella pueden leer "
        "una clave recordada."
    ),
    "Private mode": "Modo privado",
    "On: nothing is ever sent to the cloud.": "Activado: nunca se envía nada a la nube.",
    "On until you add a key.": "Activado hasta que agregues una clave.",
    "Cloud model": "Modelo en la nube",
    "Make quizzes and mind maps on this device when the cloud is off (may be unreliable)": (
        "Crear cuestionarios y mapas mentales en este dispositivo cuando la nube está desactivada "
        "(pueden ser poco fiables)"
    ),
    "Save cloud settings": "Guardar ajustes de la nube",
    "Test key": "Probar clave",
    "Remove key": "Quitar clave",
    "Saved. New answers use these settings.": "Guardado. Las nuevas respuestas usan estos ajustes.",
    "Defaults restored.": "Se restablecieron los valores predeterminados.",
    "The new settings could not be applied: {reason}": "No se pudieron aplicar los nuevos ajustes: {reason}",
    "Saved.": "Guardado.",
    "Key removed.": "Se quitó la clave.",
    "Testing the key…": "Probando la clave…",
    "Add a key first.": "Primero agrega una clave.",
    "Key test failed: {message}": "La prueba de la clave falló: {message}",
    "The key works: {model} answered.": "La clave funciona: {model} respondió.",
    "Appearance and language": "Apariencia e idioma",
    "Language": "Idioma",
    "Automatic (browser)": "Automático (navegador)",
    "Theme": "Tema",
    "System": "Sistema",
    "Light": "Claro",
    "Dark": "Oscuro",
    "Apply": "Aplicar",
}

ES: dict[str, str] = {**PAGES, **CHAT, **MESSAGES, **DOCS, **MEDIA, **SETS}

"""Spanish for models made of several files (issue #25): their cards, downloads, imports from a
folder and the Transformers.js engine's fit. Data only."""

SETS: dict[str, str] = {
    # The card (ui/views/models.py, models/catalog.py INPUTS)
    "text": "texto",
    "photos": "fotos",
    "voice": "voz",
    "Understands: {inputs}": "Entiende: {inputs}",
    "{count} files": "{count} archivos",
    "Import a model made of several files: pick its folder": "Importar un modelo de varios archivos: elige su carpeta",
    "…or pick all its files": "…o elige todos sus archivos",
    # Downloading (models/set_transfers.py)
    "File {number} of {count}: {file}": "Archivo {number} de {count}: {file}",
    "Checking {file}…": "Comprobando {file}…",
    "Asking {host} what the files must be…": "Preguntando a {host} cómo deben ser los archivos…",
    "{file} is not the file {model} needs (its checksum differs: it changed upstream, or something on the way altered it), so none of {model} was kept.": "{file} no es el archivo que necesita {model} (su suma de comprobación no coincide: cambió en el origen o algo lo alteró por el camino), así que no se guardó nada de {model}.",
    # Importing from a folder (models/sets.py, models/set_transfers.py)
    "Copying {file} from the folder…": "Copiando {file} desde la carpeta…",
    "{file} could not be read: {reason}": "No se pudo leer {file}: {reason}",
    "That model is being downloaded or imported already.": "Ese modelo ya se está descargando o importando.",
    "{file} in the folder is not the file {model} needs (its checksum differs), so none of {model} was imported.": "{file} de la carpeta no es el archivo que necesita {model} (su suma de comprobación no coincide), así que no se importó nada de {model}.",
    "The folder has no {file}, which {model} needs, so nothing was imported.": "La carpeta no tiene {file}, que {model} necesita, así que no se importó nada.",
    "The folder has no {file} (and {count} more files {model} needs), so nothing was imported.": "La carpeta no tiene {file} (ni otros {count} archivos que {model} necesita), así que no se importó nada.",
    "{file} in the folder is {size} bytes, but {model} needs {expected} bytes: it is another file or was cut short, so nothing was imported.": "{file} de la carpeta tiene {size} bytes, pero {model} necesita {expected} bytes: es otro archivo o está incompleto, así que no se importó nada.",
    "These files are not a model Tabula knows. Pick the folder of a model listed on this page (such as {model}), with all its files.": "Estos archivos no son un modelo que Tabula conozca. Elige la carpeta de un modelo de esta página (como {model}), con todos sus archivos.",
    "This site lists no model made of several files to import.": "Este sitio no ofrece ningún modelo de varios archivos para importar.",
    # Device fit (models/fit.py)
    "Runs with Transformers.js on the CPU (wasm): {speed}.": "Funciona con Transformers.js en la CPU (wasm): {speed}.",
    "Runs with Transformers.js on the GPU (WebGPU): {speed}.": "Funciona con Transformers.js en la GPU (WebGPU): {speed}.",
    # A stored set with no service worker to serve it (browser/transformers.py)
    "This model is made of several files, which Tabula's offline helper (its service worker) hands to the engine, and that helper is not running in this tab. Reload the page once it says it works offline, then press Restart engine. A private window may never run it.": "Este modelo está hecho de varios archivos, que el ayudante sin conexión de Tabula (su service worker) entrega al motor, y ese ayudante no está funcionando en esta pestaña. Recarga la página cuando diga que funciona sin conexión y pulsa Reiniciar motor. Una ventana privada puede no ejecutarlo nunca.",
}

"""Spanish for documents opened on the device and the questions asked about them (issue #24).
Data only."""

DOCS: dict[str, str] = {
    # Opening a file (ui/handlers/documents.py, chat/documents.py)
    "Open a file (PDF, Word, .txt or .md)…": "Abrir un archivo (PDF, Word, .txt o .md)…",
    "A PDF, a Word file or text. The best passages go with your question; the answer says which pages it used.": "Un PDF, un archivo de Word o texto. Los mejores pasajes van con tu pregunta; la respuesta dice qué páginas usó.",
    "Open a PDF, a Word file (.docx) or a plain text file (.txt or .md).": "Abre un PDF, un archivo de Word (.docx) o un archivo de texto (.txt o .md).",
    "{name} is too large ({size} MB): Tabula reads documents up to 50 MB.": "{name} es demasiado grande ({size} MB): Tabula lee documentos de hasta 50 MB.",
    "{name} is not a {what} file, although its name says so.": "{name} no es un archivo {what}, aunque su nombre lo diga.",
    "page {pages} is an image": "la página {pages} es una imagen",
    "pages {pages} are images": "las páginas {pages} son imágenes",
    "{name} has no text to read.": "{name} no tiene texto que leer.",
    "{name} has no text to read: {images} (a scan). A model that reads pictures, such as Gemma 4 E2B, could read them; Tabula cannot give it pages yet.": "{name} no tiene texto que leer: {images} (un escaneo). Un modelo que lee imágenes, como Gemma 4 E2B, podría leerlas; Tabula todavía no puede darle páginas.",
    "{name} has {pages} pages: Tabula reads documents up to 2,000 pages.": "{name} tiene {pages} páginas: Tabula lee documentos de hasta 2000 páginas.",
    "{name} is protected by a password. Save a copy without the password in a PDF app, then open that.": "{name} está protegido con contraseña. Guarda una copia sin contraseña en una aplicación de PDF y abre esa.",
    "{name} is damaged and cannot be read.": "{name} está dañado y no se puede leer.",
    "This file could not be read.": "No se pudo leer este archivo.",
    "Reading {name}…": "Leyendo {name}…",
    "Reading {name}: page {done} of {total}…": "Leyendo {name}: página {done} de {total}…",
    "Stopped reading the file. Nothing was kept.": "Se dejó de leer el archivo. No se guardó nada.",
    "Opened {name} ({count} page).": "Se abrió {name} ({count} página).",
    "Opened {name} ({count} pages).": "Se abrió {name} ({count} páginas).",
    "Opened {name} ({count} section).": "Se abrió {name} ({count} sección).",
    "Opened {name} ({count} sections).": "Se abrió {name} ({count} secciones).",
    "Opened {name} ({count} character).": "Se abrió {name} ({count} carácter).",
    "Opened {name} ({count} characters).": "Se abrió {name} ({count} caracteres).",
    "Left out: {images}.": "Se omitió: {images}.",
    "It stays on this device.": "Se queda en este dispositivo.",
    # Questions about a document (chat/retrieval.py, ui/views/messages.py)
    "page {n}": "página {n}",
    "the beginning": "el comienzo",
    "part {n} of {total}": "parte {n} de {total}",
    "Passages sent from {source}: {where}": "Pasajes enviados de {source}: {where}",
    "Used: {where}": "Usado: {where}",
    # Summaries of long documents (chat/mapreduce.py, chat/summarizing.py)
    "pages {pages}": "páginas {pages}",
    "characters {start}–{end}": "caracteres {start}–{end}",
    "Summarizing part {n} of {total}…": "Resumiendo la parte {n} de {total}…",
    "Combining the summaries: {n} of {total}…": "Uniendo los resúmenes: {n} de {total}…",
    "{where} of {source}: summary": "{where} de {source}: resumen",
    "Stopped before any part of {source} was summarized.": "Se detuvo antes de resumir ninguna parte de {source}.",
    "Stopped: {count} of {total} parts summarized ({where}).": "Detenido: {count} de {total} partes resumidas ({where}).",
    "Summarize {source} ({where}).": "Resume {source} ({where}).",
    # Documents kept with their conversation (ui/views/chat.py)
    "Documents in this conversation:": "Documentos en esta conversación:",
    "Remove {name} from this conversation": "Quitar {name} de esta conversación",
    "Remove": "Quitar",
}

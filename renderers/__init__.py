"""gardend.renderers — everything that turns index data into text (HTML, Markdown, JSON)."""

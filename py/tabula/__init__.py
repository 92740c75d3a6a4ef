"""Tabula: Gemma on your own device. Pure core here; only `browser/` touches JS."""

"""Adapters to the browser: the ONLY package that imports js, pyodide or pyscript."""

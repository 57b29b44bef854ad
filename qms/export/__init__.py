"""Exporters: model data -> text or bytes (HTML, Markdown, CSV, XLSX, JSON, ...).

Each exporter returns `str`, `bytes` or a file map; only the CLI writes files.
"""

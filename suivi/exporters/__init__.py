"""Writers of exports: CSV, XLSX and Suivi JSON of recommendations, and the State matrix.

Each writer takes batches of rows as an async iterator and holds no more than one batch, so an
export of a million recommendations runs in the memory of a few thousand.
"""

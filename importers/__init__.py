"""Readers that turn source files into validated records for suivi.services to load."""

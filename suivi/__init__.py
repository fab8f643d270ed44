"""Suivi: follow-up of UN human-rights recommendations that concern human rights defenders."""

__version__ = "0.1.0"

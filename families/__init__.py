"""Families and their members (individuals), with their identifiers and history."""

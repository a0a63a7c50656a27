"""Spreadsheet import of credit records."""

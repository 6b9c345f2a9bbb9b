"""Exporting the evidence record as a signed, self-contained bundle for auditors."""

"""Writes of the routing app (one module per subject)."""

"""Supervision: deadline sweeps, supervision notices, scorecards."""

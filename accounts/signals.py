"""Decoupled extras only: the main flow never depends on these."""

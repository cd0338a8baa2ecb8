"""Reads of the supervision app."""

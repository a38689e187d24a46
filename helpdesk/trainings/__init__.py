"""Trainings: the PRAF catalogue and its sessions, and FIL (local-initiative training) requests."""

"""Satisfaction survey: one question to the requester when their ticket is resolved, in the app or by a signed link."""

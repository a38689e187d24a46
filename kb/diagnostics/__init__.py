"""Guided diagnostics: decision trees that end in a fix or a well-routed ticket."""

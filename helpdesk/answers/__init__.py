"""Canned replies (réponses types): shared answers with placeholders, written by the pilot team and the EduLAB."""

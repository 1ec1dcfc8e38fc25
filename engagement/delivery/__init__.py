"""Respondent-facing use cases shared by every channel: start, answer, resume, complete."""

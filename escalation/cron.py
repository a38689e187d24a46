"""Periodic jobs read by escalation/worker.py: (dotted function path, queue, interval in seconds)."""

CRON_JOBS = [
    ("escalation.jobs.sweep", "default", 60),
    ("escalation.jobs.auto_close", "default", 3600),
    ("escalation.jobs.detect_incidents", "default", 300),
    ("escalation.notifications.jobs.send_digests", "default", 3600),
    # Training reminders and summaries whose timers Redis may have lost.
    ("helpdesk.trainings.jobs.sweep_session_mails", "default", 900),
]

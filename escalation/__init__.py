"""SLA clocks, escalation rules, notifications and the RQ worker entry."""

"""Configuration audit: who changed users and roles, schools and basins, SLA policies, calendars and closures, and
keywords — when, and from what to what — recorded as the changes are flushed, readable by pilots and admins."""

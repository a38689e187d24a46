"""The shared platform: settings, extensions, errors, signals, jobs, caches, security, templating, time."""

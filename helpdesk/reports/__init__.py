"""The académie's figures: rollups of ticket activity kept by a job, dashboards with charts and tables, exports."""

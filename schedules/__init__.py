"""The scheduler (APScheduler): the nightly audit, the homepage probes, the mail."""

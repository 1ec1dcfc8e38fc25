"""The outside world (clock, message transports), behind small interfaces tests can replace."""

"""Benchmarks of the kiosk, run by `make bench`; they print one table."""

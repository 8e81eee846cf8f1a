"""Benchmarks run against a throwaway PostgreSQL database (see benchmarks.ingest)."""

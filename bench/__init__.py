"""Repeatable benchmarks (PostgreSQL, realistic volumes): see docs/ and each module."""

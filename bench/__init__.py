"""Benchmarks of qms at national scale: a synthetic workspace generator and machine-independent
ratios (validate vs bare YAML parsing, render vs bare `dot`, warm vs cold), run by `make bench`.
"""

"""Demo and synthetic programmes: the real seed plan, and a large one for benchmarks."""

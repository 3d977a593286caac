"""SwapTwin benchmarks: ratios measured in one run, never timed assertions."""

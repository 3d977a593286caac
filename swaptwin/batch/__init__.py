"""Many swaps: jobs, resume and progress (``runner``), warm plant workers (``workers``)."""

"""SwapTwin's swap controller: it speaks only the station protocol (``swapwire``).

``engine`` (the phase machine), ``supervisor`` (the checks on every frame),
``locking`` (the lock strategy, from the described lock group),
``sequences`` (one sequence per rig family, and their registry), ``link`` and
``run`` (the DEALER side of the command link), ``config`` (its tuning).
It imports neither the twin nor pybullet: pointed at a real station's gateway,
it runs unchanged.
"""

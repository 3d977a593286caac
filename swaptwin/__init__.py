"""SwapTwin: a digital twin testbed for battery-swap mechanisms.

Packages: ``twin`` (the pybullet plant), ``controllers`` (controllers that speak
only the station wire protocol), ``swaptwin`` (the command line, configuration,
process orchestration and verdicts).
"""

__version__ = "0.1.0"

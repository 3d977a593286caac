"""SwapTwin's plant: the pybullet models of rigs, vehicles, packs and locks.

``MODEL_VERSION`` names the behaviour of the physics models that is not
visible in a URDF or a config file: the lock laws, the connector, the drive
and hoist models, the contact handling. Bump it with any change that moves a
result, so that regression baselines made with the old models are reported
as missing for this version instead of being compared with a different twin.
"""

MODEL_VERSION = 1

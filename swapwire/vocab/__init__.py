"""Each rig family's wire vocabulary: its axis names, its sensors (in frame
order), its tools, its taught positions and its own description sections.

A station of the family and the family's controller sequence both import
the family's module here, so every name is declared once.
"""

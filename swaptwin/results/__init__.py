"""What a run leaves: its verdict (``verdict``), what it was made with (``versions``),
and the one way files are written (``atomic``)."""

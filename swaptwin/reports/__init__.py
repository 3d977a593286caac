"""Reports, one writer per format: HTML pages (``html``), SVG charts (``plots``),
JUnit XML (``junit``), the console summary (``console``), the qualification page
(``qualify``)."""

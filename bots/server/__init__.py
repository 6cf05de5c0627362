"""The aiohttp server, the composition root: it builds the platforms from the settings and hosts them with the
background loops."""

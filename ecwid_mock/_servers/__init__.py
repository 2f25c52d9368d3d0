"""Floor 5: servers of our own: the local HTTPS server and the reference receiver."""

"""One module per CLI command; each imports the library only inside its function."""

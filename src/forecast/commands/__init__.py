"""Command-line sub-commands, one module per pipeline step."""

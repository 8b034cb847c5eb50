"""The `annexbot` command line, one module per command group (entry point: bot.cli.main)."""

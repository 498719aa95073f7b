"""The lake: every Delta read and write in Flywheel goes through `python_assets.lake.tables`."""

"""Our own code for the mensenhandel site: Pelican plugins, the build runner and tools.

Each module has one job; `tasks.py` is the entry point that editors and CI call.
"""

"""The documentation catalogue: its pages per language (`catalogue`) and PDFs (`pdf`).

The entries themselves are read and checked by `sitekit.content.documents`.
"""

"""The build: check, run Pelican into a fresh folder, index, then update `output/`.

`runner` does one atomic build (the lock, the staging folder, the sync), `state`
remembers what the last good build was made from so an unchanged build is skipped,
`cli` is its command line (`python -m sitekit.builder`, `invoke build`).
"""

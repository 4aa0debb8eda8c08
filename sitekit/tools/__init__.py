"""Editor tools: the translation report, new files, a local server.

`translations` (`invoke translations`), `scaffold` (`invoke new`) and `serve`
(`invoke serve`, `invoke livereload`). Nothing a build runs imports them.
"""

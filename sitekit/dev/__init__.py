"""Developer tools: benchmarks and the loopback S3 server.

The build benchmark (`bench`, on a generated `corpus`), the publishing benchmark
(`publish_bench`) and the loopback S3 server the tests and the benchmark publish to
(`loopback_s3`). Nothing a build runs imports them.
"""

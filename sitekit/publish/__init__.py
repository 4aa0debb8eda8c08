"""Publish the built site to S3 or an S3-compatible store: incremental, ordered, safe.

`invoke publish` calls `run.main`; the parts, each with one job:
settings (the validated PUBLISH dict), headers (our Content-Type/Cache-Control table),
storage (the boto3 client, clear errors, the requests), plan (what to change, safety
refusals) and run (phases, deletions last, verification, reports).
"""

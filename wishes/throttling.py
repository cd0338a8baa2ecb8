"""The wish board's own limit: failed query-code look-ups per client (the shared limits of anonymous
submissions are in ``jiangyan.core.throttling``)."""

from jiangyan.core.throttling import PageLimiter

track_limiter = PageLimiter("wish_track", "20/hour")

"""Feed subscriptions: RSS/Atom feeds polled on a schedule (``store``: the subscriptions and
their per-feed record in the catalog; ``poll``: one conditional fetch and incremental
indexing of a feed). The scheduler that calls :func:`index.feeds.poll.poll_feed` lives with
the server (ui.feeds)."""

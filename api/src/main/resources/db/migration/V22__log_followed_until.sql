-- Until when someone follows the run's log live (an SSE stream open on some api instance, which
-- renews the lease while the stream lasts). Build hosts hold an unfollowed run's log chunks back
-- up to a second and send them in one request; a followed run's go at once.
ALTER TABLE runs
    ADD COLUMN log_followed_until timestamptz;

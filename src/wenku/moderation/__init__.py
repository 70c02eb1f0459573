"""Trust and safety: reports (举报), copyright notices and the takedown desk, review
records, the site's moderation policy, banned words, penalties and the append-only audit
log of every moderator's action.

It stands on floor 3 beside search, economy, community and accounts, and imports only
lower floors: community, economy and accounts ask it about penalties where comments,
downloads and uploads happen. What *follows* a decision (status, index, reward,
notifications) is publishing's (``publishing.decisions``).
"""

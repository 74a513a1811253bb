"""Daily posts: the posting loop (scheduler), the service the commands call, and the delivery ports.

The pure rules (which passage a day or a channel's n-th post gets, when the next post is due) live in
bot/core/daily.py and bot/core/schedule.py.
"""

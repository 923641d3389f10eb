"""Meetings read from the list's own posts: what a post announces, moves or cancels."""

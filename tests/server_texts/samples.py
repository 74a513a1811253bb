"""A short reading a teacher might upload, shared by the server-text tests of every layer."""

LESSON = b"""---
title: The Lesson of the Lighthouse
speaker: Ada Keeper
date: 1901-05-04
---
The keeper climbed the tower every evening before the lamps were lit along the harbour.

She wrote that a lighthouse teaches patience, because the sea answers nobody in a hurry.
"""

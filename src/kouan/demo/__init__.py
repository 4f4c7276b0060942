"""The demo port of Qingdao: its organisations and users, about thirty ships and a week of port
calls in every state, and a month of cargo declarations, played through the services. The content
is in data/, read by content; schedule plays it in time order; build is the entry point.
"""

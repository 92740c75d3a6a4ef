"""The app's spine: State, Actions and reduce() with the Store (actions), the hash router, where
each feature runs (decide), the task supervisor and the key-value port.

State is one frozen record; reduce() is pure; effects happen in the domains and report back with
Actions. `decide_for(state, feature)` is the one place that chooses local, cloud or unavailable.
`Tasks` supervises every background task and reports a failure nobody handled to the banner.
`versions` says when the app may reload into a new version of itself (never mid-answer).
`slices` imports the app in slices at start-up, so no task blocks the page for long.
May import: i18n, and the domains' value modules that State composes (chat.messages,
chat.conversations, models.catalog, models.fit, models.transfers, cloud.access,
prefs.generation, study.result). Nothing else.
"""

__all__ = ["actions", "decide", "ports", "router", "slices", "state", "tasks", "versions"]

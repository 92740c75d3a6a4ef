"""The UI: the App that paints State onto the Page, what each button does, and the views.

- `app`       turns page events into actions and paints the parts of the screen that changed
- `handlers/` the data-action handlers, one module per feature
- `views/`    pure State -> HTML (interactions declared as `data-action`)
- `ports`     Page and Updates, the document and the service worker as Python sees them
May import: core, i18n and the domains; never browser/ or main.
"""

__all__ = ["app", "handlers", "ports", "views"]

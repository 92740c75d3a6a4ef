"""What each button and form does: one module of data-action handlers per feature.

Each module's class has `table()`, a {data-action name: handler} dict; main.py merges them and
App.on_action looks a name up. Handlers turn page events into calls on the domains (chat,
models, cloud, study, prefs) and actions on the Store; they hold no policy of their own.
May import core, the domains and ui.ports; never browser/ or main.
"""

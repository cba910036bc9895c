"""The notices' index on the user alone is dropped.

Reviewed. The unique key of a notice (user, entity type and id, deadline type, rung, due day)
and the unread index (user, read_at, id) both begin with the user, so every look-up by user
(the menu's unread count, the list of a user's notices, a user's deletion) has an index
without it. Each notice written maintained it for nothing, and where the table looked empty
the planner chose it to check for a notice already sent, reading every notice of that user.
Backwards recreates it.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import ForeignKey

ID = "2026-12-07T04:39:21:890091"
VERSION = "1.38.0"
DESCRIPTION = "notification user index dropped"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="models", description=DESCRIPTION)

    manager.alter_column(
        table_class_name="Notification",
        tablename="notification",
        column_name="user",
        db_column_name="user",
        params={"index": False},
        old_params={"index": True},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    return manager

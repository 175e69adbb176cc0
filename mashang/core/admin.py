"""What the apps' admins share: models that are read there and changed only through their
services (transitions, the sweep, the outbox), and their rows shown under a record."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, searched and filtered in the admin; never added, changed or deleted there."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    """Rows shown under their record (their fields listed read-only by each inline), never
    added or deleted there."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "mashang.core"
    label = "core"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from mashang.core.middleware import _on_signed_in

        # The session limits count from the sign-in (mashang.core.middleware).
        user_logged_in.connect(_on_signed_in, dispatch_uid="mashang.core.session_started")

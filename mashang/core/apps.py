from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "mashang.core"
    label = "core"

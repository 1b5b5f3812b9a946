from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuideConfig(AppConfig):
    name = "guide"
    verbose_name = _("指南")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # guide.comparison installs Django's gettext as the translator of the pure guide.diff.
        from . import comparison  # noqa: F401

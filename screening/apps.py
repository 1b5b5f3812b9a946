from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "screening"
    verbose_name = _("预审")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # screening.labels installs Django's gettext as the translator of the pure
        # screening.messages: import it here, so any rendering path has the catalogue.
        from . import labels  # noqa: F401

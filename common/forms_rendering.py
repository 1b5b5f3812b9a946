"""The form renderer (settings.FORM_RENDERER): widgets from Django's own Jinja2 templates of them,
which give the same HTML as its template language in less time (a proposal form page has over a
hundred widgets); templates that exist only for the template language (the admin's widgets) are
rendered by it."""

from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist


class WidgetRenderer(BaseRenderer):
    def __init__(self):
        self.jinja2 = Jinja2()
        self.django = DjangoTemplates()

    def get_template(self, template_name):
        try:
            return self.jinja2.get_template(template_name)
        except TemplateDoesNotExist:
            return self.django.get_template(template_name)

"""The accepted recommenders, where an applicant picks one (``proposals/form.html``).

The proposals app never imports screening: its template loads this library and
calls the tag, which reads the Recommender registry.
"""

from django import template

from screening.enums import RegistryName
from screening.models import Recommender, RegistryLoad

register = template.Library()

DATALIST_ID = "recommender-options"


@register.inclusion_tag("screening/recommender_options.html")
def recommender_options(form, field_name: str = "recommender"):
    """A ``<datalist>`` of the designated recommenders for ``form[field_name]`` and the
    list to read. Points the field's input at the datalist (``list`` attribute), so
    call it before the field is rendered; typing any other name stays possible (the
    check then fails). Two queries; nothing is shown while the registry was never loaded."""
    loaded = RegistryLoad.objects.filter(name=RegistryName.RECOMMENDERS).exists()
    names = list(Recommender.objects.order_by("name").values_list("name", flat=True)) if loaded else []
    field = form.fields.get(field_name) if form is not None else None
    if field is not None and names:
        field.widget.attrs["list"] = DATALIST_ID
    return {"names": names, "loaded": loaded, "datalist_id": DATALIST_ID}

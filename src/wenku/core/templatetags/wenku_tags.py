from __future__ import annotations

import json
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()
# As json_script does: nothing in the JSON can close the <script> or start markup.
_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def ld_json(value: Any) -> SafeString:
    """A structured-data (<script type="application/ld+json">) body, safe inside HTML."""
    text = json.dumps(value, ensure_ascii=False, default=str).translate(_ESCAPES)
    return mark_safe(text)

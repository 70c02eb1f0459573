from __future__ import annotations

import json
from typing import Any

from django import template
from django.utils.html import _json_script_escapes
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def ld_json(value: Any) -> SafeString:
    """A structured-data (<script type="application/ld+json">) body, safe inside HTML."""
    text = json.dumps(value, ensure_ascii=False, default=str).translate(_json_script_escapes)
    return mark_safe(text)  # noqa: S308 - escaped above, exactly as json_script does

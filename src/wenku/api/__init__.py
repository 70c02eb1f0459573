"""The JSON API (django-ninja); see wenku.api.main."""

"""REST API (django-ninja), integration API keys and the Open311 GeoReport v2 endpoint."""

"""Import and export of organisations and people (CSV/XLSX)."""

urlpatterns: list = []

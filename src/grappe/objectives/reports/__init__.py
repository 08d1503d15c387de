"""Reports for the Region: what goes in them (``content``) and how they are drawn (``pdf``, ``xlsx``)."""

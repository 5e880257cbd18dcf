"""Request and response schemas of the HTTP API: separate create / public shapes per resource."""

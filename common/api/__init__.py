"""What every API view shares (config/api.py mounts them under /api/v1/): one error
body (errors.py), the base view with the request's language and no-store
(views.py), pagination, permissions, throttles, the schema's error responses
(schema.py) and the Swagger UI page that works under the site's CSP (docs.py)."""

"""What the product says about itself in its logs, and how each line is tied to a request.

- `context.py`: the request id (taken from a sane `X-Request-ID` or made here), the signed-in
  user's public id and the path with ids only, held in context variables for the log lines a
  request produces; the two middleware that set them; one line per request.
- `formatters.py`: one JSON object per line in production, plain text in development.
- `filters.py`: keeps query strings (which may hold a searched name or NINO) out of the logs
  of Django's development server, and adds the request's fields to every record.

Nothing here logs a name, a date of birth, an identifier, a username or an e-mail address;
tests/test_logs.py drives the main journeys and searches the captured logs for each.
"""

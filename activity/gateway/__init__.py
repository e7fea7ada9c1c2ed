"""The gateway: every call to a model goes through here, from the JSON API and from the playground.

Modules: ``auth`` (bearer keys by hash), ``access`` (which caller may call which model), ``quota``
(the monthly reservation), ``upstream`` (the HTTP client), ``records`` (usage logs and history),
``service`` (one call from start to finish), ``call`` (one request to a JSON API call endpoint),
``catalog`` (the public catalog as JSON), ``demo_upstream`` (the demo models server) and ``docs`` (the
API docs page without a CDN).
"""

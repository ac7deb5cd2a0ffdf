"""The monday.com GraphQL client (issue #4).

    operations.py   the GraphQL operation templates (``operations/*.graphql``) and batched
                    mutation documents with aliased root fields
    batching.py     how many mutations go in one request, sized to the complexity limits
    encoders.py     ordersync values → column values per column type; only changed columns
    client.py   ``MondayClient``: one document per request, the retry loop, the token
    retry.py    ``RetryPolicy``: rate-limit waits (not counted) and jittered back-off (counted)
    wire.py     responses → ``GraphQLResult`` and classified ``WireError``s; the exceptions
"""

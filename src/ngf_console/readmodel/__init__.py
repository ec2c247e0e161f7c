"""Pure read models of the API server: views computed from plain Kubernetes objects.

Every function here takes objects as the apiserver returns them (JSON dicts) and returns
pydantic views; nothing does I/O. The API fills a :class:`~.snapshot.ClusterSnapshot` from its
watch cache and calls these to answer topology, certificate, gateway and pool requests.
"""

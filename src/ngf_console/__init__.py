"""NGF Console: declarative control plane and web console for NGINX Gateway Fabric."""

__version__ = "0.1.0"

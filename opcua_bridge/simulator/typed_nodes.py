"""Variables typed as a PLC declares them: the one way this project adds a node a client writes.

A PLC's OPC UA server refuses a write whose variant type is not the node's declared data type
(BadTypeMismatch: a Double into a REAL, an Int32 into an INT). asyncua's server does the same for
a variable added with an explicit variant type, so a writable node made here behaves like an
S7-1500 or TwinCAT symbol. The simulator's closed-loop nodes and the tests' PLC servers
(tests/opcua_bridge/servers.py) both use it.
"""

from __future__ import annotations

from asyncua import ua
from asyncua.common.node import Node


async def add_typed_variable(
    parent: Node, node_id: ua.NodeId, browse_name: str, initial: ua.Variant, *, writable: bool
) -> Node:
    """Add a scalar variable of `initial`'s variant type; a client may write it when `writable`
    (and then only with a value of that type)."""
    node = await parent.add_variable(
        node_id,
        ua.QualifiedName(browse_name, node_id.NamespaceIndex),
        initial.Value,
        varianttype=initial.VariantType,
    )
    if writable:
        await node.set_writable()
    return node

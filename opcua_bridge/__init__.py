"""OPC UA bridge and simulated line PLCs (issue 4). Knows OPC UA, nothing about specs."""

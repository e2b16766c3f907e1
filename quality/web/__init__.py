"""The quality engineers' screens (server-rendered; graphs and charts as SVG in the HTML)."""

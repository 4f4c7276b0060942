"""Reports from the port's statistics: what the dashboard and the bulletin read (gather), the
monthly bulletin in Chinese and English as Markdown, HTML and PDF (bulletin) and its charts
drawn as SVG (svg)."""

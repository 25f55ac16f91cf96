"""The fiscal half of the ERP: CFDI 4.0 facturas built with ``satcfdi`` (build, seal, XSD, PDF, PAC).

What it is for: the shop's fiscal set-up (emisor, CSD, PAC), the CFDI of each factura sale, and the background
job that stamps it through a PAC. The only package that imports ``satcfdi`` (it needs pyOpenSSL and lxml, so
it stays server-side; the till never sees it).
What it must not do: decide a business rule the till also needs (régimen–UsoCFDI, RFC shape, amounts): those
are poscore's, and this package calls them; or make sync wait for a PAC.
"""

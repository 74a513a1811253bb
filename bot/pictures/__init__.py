"""Pictures made from the texts: quote cards and trend charts, as PNG bytes any platform can attach."""

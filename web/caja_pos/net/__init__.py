"""The ERP over HTTP: the client and its errors. What an answer means is the services' business."""

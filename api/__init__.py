"""The HTTP API: FastAPI application, routes and schemas."""

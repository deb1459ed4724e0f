"""FasterAPI: compile a FastAPI application ahead of time into one C++ extension."""

__version__ = "0.1.0"

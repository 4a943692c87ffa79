"""Helpers of the author's workbench (`coursegen preview`, `map`, `new`) too long for one module."""

"""Suivi's pages in a real browser: headless Chromium against a live `suivi serve`."""

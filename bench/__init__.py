"""govaudit's benchmark against Scrapy and the raw fetch limit: `python3 -m bench` (not a test)."""

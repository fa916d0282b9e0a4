"""bookmarks"""

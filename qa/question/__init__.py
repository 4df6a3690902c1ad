"""Reading a question: its conversation, the names in it and the date it is asked as of."""

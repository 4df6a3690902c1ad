"""Answers from passages: the draft every answerer returns (draft), the candidate sentences
and their evidence (candidates), and the extractive sentence scorer (scorer)."""

"""What people read: results.json and each check's text, the terminal table, the feedback
page of one student, and the class reports of a batch."""

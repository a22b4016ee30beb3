"""What runs inside a student's Jupyter kernel (it ships to students with the engine)."""

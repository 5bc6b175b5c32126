"""Reading and writing labels in files: the native format here, other formats as they are added."""

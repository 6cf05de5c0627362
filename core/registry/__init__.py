"""What is tracked and who may change it: documents, the vendor catalog, admins, and the overview of both."""

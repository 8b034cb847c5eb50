"""The weekly digest: its content for coordinators and agencies, on request and on schedule."""

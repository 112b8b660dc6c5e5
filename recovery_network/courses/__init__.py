"""Courses that finish: enrolments (first name or initials only), attendance per session, and completion."""

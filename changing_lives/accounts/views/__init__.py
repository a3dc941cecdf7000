"""The accounts pages: signing in and passwords (sign_in.py), the second factor (mfa.py),
accepting an invitation (invitations.py), and an admin's pages for their authority's users
(users.py)."""

"""Django's own PBKDF2 hasher at one iteration, for the test run only.

The default (a million iterations) costs about half a second per password, paid by every
test that creates a user. The hashes keep the standard ``pbkdf2_sha256$<iterations>$…``
form, so child processes running the site's real settings (``wenku serve`` in live
tests) verify them with the default hasher.
"""

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class OneIterationPBKDF2(PBKDF2PasswordHasher):
    iterations = 1

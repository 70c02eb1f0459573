def test_a_document_path_is_what_reverse_says_under_any_script_prefix():
    from django.urls import get_script_prefix, reverse, set_script_prefix

    from wenku.library.models import document_path

    before = get_script_prefix()
    try:
        for prefix in ("/", "/wenku/", "/987654321/"):
            set_script_prefix(prefix)
            for pk in (1, 42, 987654321, 10**12):
                assert document_path(pk) == reverse("library:document", args=[pk])
    finally:
        set_script_prefix(before)

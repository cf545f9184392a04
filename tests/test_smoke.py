from django.conf import settings


def test_debug_defaults_apply_in_tests():
    assert settings.SECRET_KEY

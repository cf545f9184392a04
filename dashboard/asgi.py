import os

from django.core.asgi import get_asgi_application

from dashboard import in_process_beat

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")

application = get_asgi_application()

in_process_beat.install()  # when tasks run eagerly: the beat schedule in this process

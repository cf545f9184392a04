import os

from django.core.wsgi import get_wsgi_application

from dashboard import in_process_beat

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")

application = get_wsgi_application()

in_process_beat.install()  # when tasks run eagerly: the beat schedule in this process

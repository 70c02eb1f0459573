import os
import sys

from django.core.wsgi import get_wsgi_application

# A web process's threads take turns on one GIL. A request gives it away at every query
# and file read, and waits for it again up to the switch interval (5 ms by default) while
# another thread renders a template: a signed-in document page, about 20 queries, ran at
# 48 pages/s on two cores with 2 threads; with 0.5 ms, 110 (docs/benchmarks.md, Pages).
sys.setswitchinterval(0.0005)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenku.settings")
application = get_wsgi_application()

"""Django's JSON serialiser, but times keep their microseconds.

Django's JSON encoder cuts times to milliseconds; the hash chain covers the
full time, so a backup made with it would no longer verify after restore.
Registered as the serialisation format ``json-exact`` (settings).
"""

from __future__ import annotations

import datetime

from django.core.serializers.json import Deserializer as JsonDeserializer
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.json import Serializer as JsonSerializer


class ExactEncoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, (datetime.datetime, datetime.time)):
            text = o.isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text
        return super().default(o)


class Serializer(JsonSerializer):
    def _init_options(self):
        self.options.setdefault("cls", ExactEncoder)
        super()._init_options()


Deserializer = JsonDeserializer

"""Adapters that hand a message to the outside world: an SMS gateway, WeChat template messages, e-mail.

Configured in ``settings.NOTIFICATIONS`` (docs/notifications.md). Each adapter
sends one message and returns a short description of the gateway's answer, or
raises :class:`SendError`; retrying is the outbox's business, not theirs.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail

from .models import Channel

DETAIL_MAX = 300


class SendError(Exception):
    """The gateway refused the message or could not be reached; the text says why."""


@dataclass(frozen=True)
class Message:
    address: str
    subject: str
    text: str
    url: str = ""
    reference: str = ""  # the delivery's id: lets a gateway recognise a retry
    keywords: tuple[str, ...] = field(default_factory=tuple)  # WeChat template fields: case number, what happened, when


class Adapter(Protocol):
    def send(self, message: Message) -> str: ...


def _config() -> dict:
    return getattr(settings, "NOTIFICATIONS", {})


def _timeout() -> float:
    return float(_config().get("TIMEOUT_SECONDS", 10))


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= DETAIL_MAX else text[: DETAIL_MAX - 1] + "…"


def post_json(url: str, body: dict, headers: dict[str, str] | None = None) -> tuple[int, str]:
    """POST ``body`` as UTF-8 JSON; the status and the answer's text. Network errors and non-2xx raise SendError."""
    data = json.dumps(body, ensure_ascii=False).encode()
    request = urllib.request.Request(url, data=data, method="POST", headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=_timeout()) as response:  # noqa: S310 - the operator configures the URL
            return response.status, response.read(64 * 1024).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        answer = exc.read(2048).decode("utf-8", "replace") if exc.fp else ""
        raise SendError(_short(f"HTTP {exc.code}: {answer}")) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise SendError(_short(f"{type(exc).__name__}: {reason}")) from None


def _json_or_none(text: str) -> object:
    try:
        return json.loads(text)
    except ValueError:
        return None


class SmsGateway:
    """An HTTP SMS gateway: POST {"to", "text", "ref"} with ``Authorization: Bearer TOKEN``.

    A 2xx answer is success unless its JSON says ``"ok": false`` or a non-zero
    ``code`` (the shapes Chinese SMS platforms use).
    """

    def __init__(self, url: str, token: str, sign: str) -> None:
        self.url, self.token, self.sign = url, token, sign

    def send(self, message: Message) -> str:
        text = f"【{self.sign}】{message.text}" if self.sign else message.text
        if message.url:
            text = f"{text} {message.url}"
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        status, answer = post_json(self.url, {"to": message.address, "text": text, "ref": message.reference}, headers)
        parsed = _json_or_none(answer)
        if isinstance(parsed, dict) and (parsed.get("ok") is False or parsed.get("code") not in (None, 0, "0", "OK", "ok")):
            raise SendError(_short(f"HTTP {status}: {answer}"))
        return _short(f"HTTP {status}: {answer}")


class WechatTemplate:
    """WeChat official-account template messages (``cgi-bin/message/template/send?access_token=…``).

    Success is ``errcode`` 0; any other errcode (e.g. 40003 unknown openid,
    42001 expired token) is a failure with WeChat's own message.
    """

    def __init__(self, url: str, access_token: str, template_id: str) -> None:
        self.url, self.access_token, self.template_id = url, access_token, template_id

    def send(self, message: Message) -> str:
        data = {"first": {"value": message.subject}}
        for i, value in enumerate(message.keywords, start=1):
            data[f"keyword{i}"] = {"value": value}
        data["remark"] = {"value": message.text}
        body = {"touser": message.address, "template_id": self.template_id, "url": message.url, "data": data}
        sep = "&" if "?" in self.url else "?"
        url = f"{self.url}{sep}{urllib.parse.urlencode({'access_token': self.access_token})}"
        status, answer = post_json(url, body)
        parsed = _json_or_none(answer)
        if not isinstance(parsed, dict) or parsed.get("errcode", 0) != 0:
            raise SendError(_short(f"HTTP {status}: {answer}"))
        return _short(f"HTTP {status}: {answer}")


class Email:
    """E-mail through Django's configured mail backend (SMTP in production, locmem in tests)."""

    def send(self, message: Message) -> str:
        body = f"{message.text}\n\n{message.url}" if message.url else message.text
        try:
            count = send_mail(message.subject, body, settings.DEFAULT_FROM_EMAIL, [message.address], fail_silently=False)
        except Exception as exc:  # noqa: BLE001 - every mail backend raises its own errors; each one is a failed attempt
            raise SendError(_short(f"{type(exc).__name__}: {exc}")) from None
        if count != 1:
            raise SendError("the mail backend accepted no message")
        return "accepted by the mail backend"


class FakeOutbox:
    """``JICENG_SMS_URL=fake``: nothing leaves the machine; the outbox page shows what would have been sent (demos)."""

    def send(self, message: Message) -> str:
        return "fake gateway: recorded, not sent"


def adapter_for(channel: str) -> Adapter | None:
    """The configured adapter of ``channel``, or None when that channel is off."""
    config = _config()
    if channel == Channel.SMS:
        sms = config.get("SMS") or {}
        url = sms.get("URL", "")
        if url == "fake":
            return FakeOutbox()
        return SmsGateway(url, sms.get("TOKEN", ""), sms.get("SIGN", "")) if url else None
    if channel == Channel.WECHAT:
        wechat = config.get("WECHAT") or {}
        if wechat.get("URL") and wechat.get("TEMPLATE_ID"):
            return WechatTemplate(wechat["URL"], wechat.get("ACCESS_TOKEN", ""), wechat["TEMPLATE_ID"])
        return None
    if channel == Channel.EMAIL:
        return Email() if (config.get("EMAIL") or {}).get("ENABLED") else None
    return None


def enabled_channels() -> list[str]:
    return [c for c in Channel.values if adapter_for(c) is not None]

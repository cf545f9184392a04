"""Django's SMTP backend, knowing whether the message itself went out.

Once the server has said 354 to DATA the message is on its way: a connection lost or a
timeout after that may or may not have delivered it, and the outbox must not send it again
blindly. ``message_underway`` tells the two cases apart for the outbox (see
services/outbox.py); everything else is Django's.
"""

from __future__ import annotations

import smtplib

from django.core.mail.backends.smtp import EmailBackend as SMTPBackend


class _Tracking:
    """An SMTP connection that notes when DATA was accepted.

    ``smtplib.SMTP.data()`` sends DATA with ``putcmd`` and reads the 354 with
    ``getreply`` (not ``docmd``), so both are watched; MAIL starts a new message.
    """

    message_underway = False
    _command = ""

    def putcmd(self, cmd, args=""):
        self._command = cmd.lower()
        if self._command == "mail":
            self.message_underway = False
        super().putcmd(cmd, args)

    def getreply(self):
        code, reply = super().getreply()
        if self._command == "data" and code == 354:
            self.message_underway = True
        return code, reply


class TrackingSMTP(_Tracking, smtplib.SMTP):
    pass


class TrackingSMTPSSL(_Tracking, smtplib.SMTP_SSL):
    pass


class EmailBackend(SMTPBackend):
    @property
    def connection_class(self):
        return TrackingSMTPSSL if self.use_ssl else TrackingSMTP

    @property
    def message_underway(self) -> bool:
        """Whether the last message sent on this (still open) connection passed DATA."""
        return bool(getattr(self.connection, "message_underway", False))

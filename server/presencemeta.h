// SPDX-License-Identifier: MIT
#pragma once

#include <QJsonObject>
#include <QString>

#include <array>

namespace chatter::server {

//! A presence meta's `phx_ref`: 12 random bytes, sent as 16 URL-safe characters like Phoenix's
//! refs. Kept as bytes, not as a string, because every tracked channel holds one or two.
class PresenceRef
{
public:
    static PresenceRef generate();
    bool isNull() const { return m_null; }
    QString toString() const;
    friend bool operator==(const PresenceRef &, const PresenceRef &) = default;

private:
    std::array<quint32, 3> m_bits{};
    bool m_null = true;
};

//! One tracked channel's presence meta as fields. The JSON object of the wire
//! ({"online_at", "client", "role", "status", "phx_ref", …}) is built only when a frame needs
//! it: a JSON object per member and topic cost ~0.6 KiB, these fields ~0.1 KiB, and their
//! strings are shared with the connection (Qt's implicit sharing) rather than copied.
struct PresenceMeta
{
    QString client; //!< "desktop", "web", … or "unknown"
    QString role;   //!< "member", "admin" or "guest"
    QString status; //!< "online", "away", "busy" or "dnd"
    qint64 onlineAtMs = 0;
    bool autoAway = false; //!< `"auto": true`: away by itself, not by the user's choice
    PresenceRef ref;
    PresenceRef refPrev; //!< set by an update: the ref this meta replaced

    QJsonObject toJson() const;
    friend bool operator==(const PresenceMeta &, const PresenceMeta &) = default;
};

} // namespace chatter::server

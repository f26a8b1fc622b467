// SPDX-License-Identifier: MIT
#pragma once

#include <QJsonObject>
#include <QString>

#include <array>
#include <optional>

namespace chatter::server {

//! A presence meta's `phx_ref`: 12 random bytes, sent as 16 URL-safe characters like Phoenix's
//! refs. Kept as bytes, not as a string, because every tracked channel holds one or two.
class PresenceRef
{
public:
    static PresenceRef generate();
    //! The ref toString() wrote (another node's); the null ref for anything else.
    static PresenceRef fromString(QStringView text);
    //! All zero bits: generate() never makes that one.
    bool isNull() const { return m_bits == std::array<quint32, 3>{}; }
    QString toString() const;
    friend bool operator==(const PresenceRef &, const PresenceRef &) = default;

private:
    std::array<quint32, 3> m_bits{};
};

//! One tracked channel's presence meta as fields. The JSON object of the wire
//! ({"online_at", "client", "role", "status", "phx_ref", …}) is built only when a frame needs
//! it: a JSON object per member and topic cost ~0.6 KiB, these fields ~0.1 KiB, and their
//! strings are shared with the connection (Qt's implicit sharing) rather than copied.
struct PresenceMeta
{
    //! Role and status are one of a few words each: a byte, not a string (24 bytes apiece).
    enum class Role : quint8
    {
        Member,
        Admin,
        Guest
    };
    enum class Status : quint8
    {
        Online,
        Away,
        Busy,
        Dnd
    };
    //! "admin" and "guest" as such; any other role (accounts are "member" or "admin") a member.
    static Role roleNamed(QStringView name);
    static QString nameOf(Role role);
    //! Null for anything but "online", "away", "busy" and "dnd".
    static std::optional<Status> statusNamed(QStringView name);
    static QString nameOf(Status status);

    QString client; //!< "desktop", "web", … or "unknown"
    qint64 onlineAtMs = 0;
    PresenceRef ref;
    PresenceRef refPrev; //!< set by an update: the ref this meta replaced
    Role role = Role::Member;
    Status status = Status::Online;
    bool autoAway = false; //!< `"auto": true`: away by itself, not by the user's choice

    QJsonObject toJson() const;
    //! A meta toJson() wrote (another node's, docs/cluster.md "Presence across nodes");
    //! nothing when it has no valid `phx_ref`. Unknown roles and statuses read as member and
    //! online, as roleNamed() and statusNamed() do.
    static std::optional<PresenceMeta> fromJson(const QJsonObject &object);
    //! toJson() as compact JSON text, written straight from the fields.
    void appendJson(QByteArray &out) const;
    friend bool operator==(const PresenceMeta &, const PresenceMeta &) = default;
};

} // namespace chatter::server

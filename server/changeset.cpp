// SPDX-License-Identifier: MIT
#include "changeset.h"

namespace chatter::server {

bool ChangeSet::add(const QString &payload)
{
    if (payload == QLatin1String("accounts") || payload == QLatin1String("account_keys")) {
        accounts = true;
        return true;
    }
    if (payload == QLatin1String("bans")) {
        bans = true;
        return true;
    }
    if (payload == QLatin1String("private_rooms") || payload == QLatin1String("room_members")) {
        conversations = true;
        return true;
    }
    const QStringList parts = payload.split(QLatin1Char(':'));
    if (parts.size() == 3 && parts[0] == QLatin1String("sessions")) {
        const QByteArray hash = QByteArray::fromHex(parts[2].toLatin1());
        // SHA-256 token hashes: 32 bytes, so 64 hex digits and nothing else.
        if (hash.size() != 32 || parts[2].size() != 64)
            return false;
        if (parts[1] == QLatin1String("insert")) {
            sessionsRemoved.removeAll(hash);
            sessionsAdded.append(hash);
            return true;
        }
        if (parts[1] == QLatin1String("delete")) {
            sessionsAdded.removeAll(hash);
            sessionsRemoved.append(hash);
            return true;
        }
        return false;
    }
    if (parts.size() == 2 && parts[0] == QLatin1String("read_state")) {
        bool ok = false;
        const qint64 id = parts[1].toLongLong(&ok);
        if (!ok || id <= 0)
            return false;
        readStates.insert(id);
        return true;
    }
    return false;
}

bool ChangeSet::isEmpty() const
{
    return !everything && !accounts && !bans && !conversations && sessionsAdded.isEmpty() &&
           sessionsRemoved.isEmpty() && readStates.isEmpty();
}

} // namespace chatter::server

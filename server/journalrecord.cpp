// SPDX-License-Identifier: MIT
#include "journalrecord.h"

#include <QByteArray>

#include <array>
#include <cstdlib>
#include <cstring>

#include <sys/stat.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

namespace chatter::server::journal {
namespace {

//! Made once with a random generator; never changed, never reused (docs/operations.md lists
//! them). A new kind of line gets a new id.
struct Kind
{
    const char *prefix; //!< how the line begins
    const char *event;
    const char *messageId;
};

const std::array<Kind, 9> &kinds()
{
    // The event lines are "<EngineEvent::kindName>: …" (Worker::record, Engine's admin line).
    static const std::array<Kind, 9> table{{
        {"connect: ", "connect", "32d0e8ca621c4603b82c080e538152ed"},
        {"disconnect: ", "disconnect", "b1562b742bca43998dad534a5c747104"},
        {"join: ", "join", "fcfdbf01a73342e892cca8964fda47c1"},
        {"leave: ", "leave", "90878d432a514cd49f82409506da7662"},
        {"refused: ", "refused", "5d2e7b4d315247a991521d7f7a6762aa"},
        {"protocol error: ", "protocol error", "277bf09201e14f23ba34be84aaa9aaea"},
        {"slow reader: ", "slow reader", "d548f19b093c48b4a23a9982de54ab70"},
        {"admin: ", "admin", "c48efa4f79b64c9796d0298af9e5a28f"},
        {"listening on ", "listening", "4a307b60e2164a12a933e71877ab5b7c"},
    }};
    return table;
}

iovec field(const QByteArray &bytes)
{
    return iovec{const_cast<char *>(bytes.constData()), size_t(bytes.size())};
}

} // namespace

bool stderrIsJournal()
{
    const QByteArray stream = qgetenv("JOURNAL_STREAM");
    const qsizetype colon = stream.indexOf(':');
    if (colon <= 0)
        return false;
    bool deviceOk = false;
    bool inodeOk = false;
    const qulonglong device = stream.left(colon).toULongLong(&deviceOk);
    const qulonglong inode = stream.mid(colon + 1).toULongLong(&inodeOk);
    struct stat info
    {
    };
    if (!deviceOk || !inodeOk || ::fstat(STDERR_FILENO, &info) != 0)
        return false;
    return qulonglong(info.st_dev) == device && qulonglong(info.st_ino) == inode;
}

LineKind kindOf(QStringView message)
{
    for (const Kind &kind : kinds()) {
        if (message.startsWith(QLatin1StringView(kind.prefix)))
            return {kind.messageId, kind.event};
    }
    return {};
}

int priorityOf(QtMsgType type)
{
    switch (type) {
    case QtDebugMsg:
        return 7;
    case QtInfoMsg:
        return 6;
    case QtWarningMsg:
        return 4;
    case QtCriticalMsg:
        return 3;
    case QtFatalMsg:
        return 2;
    }
    return 6;
}

bool send(QtMsgType type, const char *category, const QString &message)
{
    const LineKind kind = kindOf(message);
    const QByteArray text = "MESSAGE=" + message.toUtf8();
    const QByteArray priority = "PRIORITY=" + QByteArray::number(priorityOf(type));
    const QByteArray identifier = QByteArrayLiteral("SYSLOG_IDENTIFIER=chatter-server");
    const QByteArray categoryField =
        "CHATTER_CATEGORY=" + QByteArray(category ? category : "default");
    const QByteArray messageId =
        kind.messageId ? "MESSAGE_ID=" + QByteArray(kind.messageId) : QByteArray();
    const QByteArray event = kind.event ? "CHATTER_EVENT=" + QByteArray(kind.event) : QByteArray();
    std::array<iovec, 6> fields{field(text), field(priority), field(identifier),
                                field(categoryField)};
    int count = 4;
    if (kind.messageId) {
        fields[size_t(count++)] = field(messageId);
        fields[size_t(count++)] = field(event);
    }
    // The function, not the macro of the same name: the macro would add CODE_FILE and
    // CODE_LINE of this line, the same for every record.
    return (sd_journal_sendv)(fields.data(), count) >= 0;
}

} // namespace chatter::server::journal

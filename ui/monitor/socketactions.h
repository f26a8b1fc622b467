// SPDX-License-Identifier: MIT
#pragma once

#include "adminprompt.h"
#include "adminrecords.h"
#include "enginesnapshot.h"

#include <QObject>

#include <functional>
#include <memory>
#include <optional>

class QAction;
class QWidget;

namespace chatter::server {
class Engine;
}

namespace chatter::monitor {

//! The admin actions on the selected socket (and on rooms and stored bans): each asks through
//! the AdminPrompt, asks for confirmation, then calls the engine, which records the action in
//! its event log (and bans and lifts in the audit log).
class SocketActions : public QObject
{
    Q_OBJECT
public:
    SocketActions(server::Engine &engine, QWidget *dialogParent);
    ~SocketActions() override;

    //! Replaces the dialogs (tests answer with scripted values).
    void setPrompt(std::unique_ptr<AdminPrompt> prompt);
    //! The socket the actions apply to; none disables the per-socket actions.
    void setCurrentSocket(const std::optional<server::SocketRow> &socket);
    //! Supplies the room names offered by "Send system message".
    void setRoomSource(std::function<QStringList()> rooms);
    //! The room "Send system message" suggests when no socket is selected.
    void setSuggestedRoom(const QString &room);
    //! The stored ban "Lift ban" applies to; none disables it.
    void setCurrentBan(const std::optional<server::BanRow> &ban);

    QAction *disconnectAction() const { return m_disconnect; }
    QAction *removeFromRoomAction() const { return m_removeFromRoom; }
    QAction *systemMessageAction() const { return m_systemMessage; }
    QAction *banAction() const { return m_ban; }
    QAction *liftBanAction() const { return m_liftBan; }
    QList<QAction *> actions() const;

    //! "::ffff:10.0.0.5:5123" / "[::1]:5123" / "10.0.0.5:5123" → the address alone.
    static QHostAddress addressOfPeer(const QString &peer);

private:
    void disconnectSocket();
    void removeFromRoom();
    void sendSystemMessage();
    void ban();
    void liftBan();

    server::Engine &m_engine;
    QWidget *m_dialogParent;
    std::unique_ptr<AdminPrompt> m_prompt;
    std::optional<server::SocketRow> m_current;
    std::function<QStringList()> m_rooms;
    QString m_suggestedRoom;
    QAction *m_disconnect = nullptr;
    QAction *m_removeFromRoom = nullptr;
    QAction *m_systemMessage = nullptr;
    QAction *m_ban = nullptr;
    QAction *m_liftBan = nullptr;
    std::optional<server::BanRow> m_currentBan;
};

} // namespace chatter::monitor

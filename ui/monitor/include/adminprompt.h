// SPDX-License-Identifier: MIT
#pragma once

#include <QHostAddress>
#include <QString>
#include <QStringList>

#include <optional>

class QWidget;

namespace chatter::monitor {

struct SystemMessageRequest
{
    QString room; //!< a room name, e.g. "lobby"
    QString body;
};

struct BanRequest
{
    enum class Target
    {
        Nickname,
        Address
    };
    Target target = Target::Nickname;
    QString nickname;
    QHostAddress address;
    int minutes = 10;
};

//! Everything an admin action asks the operator: what exactly, and "are you sure?". The
//! monitor talks only to this interface, so tests replace the dialogs with scripted answers
//! and still trigger the very same QActions.
class AdminPrompt
{
public:
    virtual ~AdminPrompt() = default;

    virtual bool confirm(QWidget *parent, const QString &title, const QString &text) = 0;
    //! Which of the socket's topics to remove it from.
    virtual std::optional<QString> chooseTopic(QWidget *parent, const QStringList &topics) = 0;
    virtual std::optional<SystemMessageRequest>
    systemMessage(QWidget *parent, const QStringList &rooms, const QString &suggestedRoom) = 0;
    virtual std::optional<BanRequest> ban(QWidget *parent, const QString &nickname,
                                          const QHostAddress &address) = 0;
};

//! The interactive prompt: modal dialogs.
class DialogPrompt : public AdminPrompt
{
public:
    bool confirm(QWidget *parent, const QString &title, const QString &text) override;
    std::optional<QString> chooseTopic(QWidget *parent, const QStringList &topics) override;
    std::optional<SystemMessageRequest> systemMessage(QWidget *parent, const QStringList &rooms,
                                                      const QString &suggestedRoom) override;
    std::optional<BanRequest> ban(QWidget *parent, const QString &nickname,
                                  const QHostAddress &address) override;
};

} // namespace chatter::monitor

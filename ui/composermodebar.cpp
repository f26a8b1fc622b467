// SPDX-License-Identifier: MIT
#include "composermodebar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>

namespace chatter::ui {

namespace {

//! As much of the parent as the bar shows; the rest is a hover away in the message list.
constexpr int QuoteShown = 80;

} // namespace

ComposerModeBar::ComposerModeBar(QWidget *parent)
    : QWidget(parent), m_label(new QLabel), m_cancel(new QToolButton)
{
    setObjectName(QStringLiteral("composerModeBar"));
    m_label->setObjectName(QStringLiteral("composerModeLabel"));
    m_label->setTextFormat(Qt::PlainText);
    m_label->setForegroundRole(QPalette::PlaceholderText);
    m_cancel->setObjectName(QStringLiteral("composerModeCancel"));
    m_cancel->setText(QStringLiteral("✕"));
    m_cancel->setAutoRaise(true);
    m_cancel->setFocusPolicy(Qt::TabFocus);
    connect(m_cancel, &QToolButton::clicked, this, &ComposerModeBar::cancel);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_label, 1);
    layout->addWidget(m_cancel);
    hide();
}

void ComposerModeBar::startReply(const QString &room, qint64 id, const QString &user,
                                 const QString &body)
{
    QString quote = body.simplified();
    if (quote.size() > QuoteShown)
        quote = quote.left(QuoteShown - 1) + QStringLiteral("…");
    m_label->setText(quote.isEmpty() ? tr("Replying to %1").arg(user)
                                     : tr("Replying to %1: %2").arg(user, quote));
    m_cancel->setToolTip(tr("Cancel the reply (Escape)"));
    m_cancel->setAccessibleName(tr("Cancel reply"));
    setMode(Mode::Reply, room, id);
}

void ComposerModeBar::startEdit(const QString &room, qint64 id)
{
    m_label->setText(tr("Editing your message — Enter saves, Escape cancels"));
    m_cancel->setToolTip(tr("Cancel the edit (Escape)"));
    m_cancel->setAccessibleName(tr("Cancel edit"));
    setMode(Mode::Edit, room, id);
}

void ComposerModeBar::cancel()
{
    if (m_mode == Mode::None)
        return;
    setMode(Mode::None, {}, 0);
    Q_EMIT cancelled();
}

QString ComposerModeBar::text() const
{
    return m_mode == Mode::None ? QString() : m_label->text();
}

void ComposerModeBar::setMode(Mode mode, const QString &room, qint64 id)
{
    m_mode = mode;
    m_room = room;
    m_id = id;
    setAccessibleDescription(text());
    setVisible(mode != Mode::None);
}

} // namespace chatter::ui

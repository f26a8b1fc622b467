// SPDX-License-Identifier: MIT
#include "pendingattachments.h"

#include "chatsession.h"
#include "fileclient.h"
#include "filetransfer.h"
#include "roomsession.h"

#include <QBuffer>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QImage>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QToolButton>

namespace chatter::ui {

namespace {

QString sizeText(qint64 bytes)
{
    return QLocale().formattedDataSize(bytes, 1, QLocale::DataSizeTraditionalFormat);
}

} // namespace

PendingAttachments::PendingAttachments(client::ChatSession *session, QWidget *parent)
    : QWidget(parent), m_session(session), m_layout(new QVBoxLayout(this))
{
    setObjectName(QStringLiteral("pendingAttachments"));
    setAccessibleName(tr("Files to send"));
    m_layout->setContentsMargins(0, 2, 0, 2);
    m_layout->setSpacing(2);
    hide();
}

PendingAttachments::~PendingAttachments()
{
    // Uploads nobody will send are not worth finishing (the server drops them in an hour).
    for (const Item &item : std::as_const(m_items)) {
        if (!item.transfer)
            continue;
        item.transfer->disconnect(this);
        item.transfer->cancel();
        item.transfer->deleteLater();
    }
}

QString PendingAttachments::pastedName(const QDateTime &at)
{
    return QStringLiteral("pasted-%1.png").arg(at.toString(QStringLiteral("yyyyMMdd-HHmmss")));
}

void PendingAttachments::setRoom(const QString &room)
{
    if (room == m_room)
        return;
    m_room = room;
    updateVisibility();
    Q_EMIT changed();
}

void PendingAttachments::updateVisibility()
{
    bool any = false;
    for (const Item &item : std::as_const(m_items)) {
        item.row->setVisible(item.room == m_room);
        any = any || item.room == m_room;
    }
    setVisible(any);
}

QList<PendingAttachments::Item> PendingAttachments::current() const
{
    QList<Item> items;
    for (const Item &item : m_items) {
        if (item.room == m_room)
            items.append(item);
    }
    return items;
}

int PendingAttachments::count() const
{
    return int(current().size());
}

void PendingAttachments::addFiles(const QStringList &paths)
{
    for (const QString &path : paths) {
        const QFileInfo info(path);
        if (!info.isFile()) {
            Q_EMIT refused(tr("%1 is not a file (folders cannot be sent)").arg(info.fileName()));
            continue;
        }
        if (count() >= client::RoomSession::MaxAttachments) {
            Q_EMIT refused(tr("At most %n files go with one message", nullptr,
                              client::RoomSession::MaxAttachments));
            return;
        }
        add(m_session->files()->upload(path), info.size());
    }
}

void PendingAttachments::addImage(const QImage &image)
{
    if (count() >= client::RoomSession::MaxAttachments) {
        Q_EMIT refused(tr("At most %n files go with one message", nullptr,
                          client::RoomSession::MaxAttachments));
        return;
    }
    QByteArray png;
    QBuffer buffer(&png);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    add(m_session->files()->upload(png, pastedName(QDateTime::currentDateTime()),
                                   QStringLiteral("image/png")),
        png.size());
}

void PendingAttachments::add(client::FileTransfer *transfer, qint64 size)
{
    Item item;
    item.transfer = transfer;
    item.room = m_room;
    item.row = new QWidget(this);
    item.row->setObjectName(QStringLiteral("pendingAttachment"));
    auto *layout = new QHBoxLayout(item.row);
    layout->setContentsMargins(4, 0, 4, 0);
    auto *name = new QLabel(item.row);
    name->setText(QStringLiteral("<b>%1</b> %2")
                      .arg(transfer->name().toHtmlEscaped(), sizeText(size).toHtmlEscaped()));
    name->setTextFormat(Qt::RichText);
    item.bar = new QProgressBar(item.row);
    item.bar->setObjectName(QStringLiteral("uploadProgress"));
    item.bar->setRange(0, 1000);
    item.bar->setValue(0);
    item.bar->setMaximumHeight(name->sizeHint().height());
    item.bar->setAccessibleName(tr("Upload of %1").arg(transfer->name()));
    item.status = new QLabel(item.row);
    item.status->setObjectName(QStringLiteral("uploadStatus"));
    item.status->setWordWrap(true);
    item.status->hide();
    item.button = new QToolButton(item.row);
    item.button->setObjectName(QStringLiteral("cancelUpload"));
    item.button->setText(QStringLiteral("✕"));
    item.button->setToolTip(tr("Cancel the upload"));
    item.button->setAccessibleName(tr("Cancel %1").arg(transfer->name()));
    item.button->setAutoRaise(true);
    layout->addWidget(name);
    layout->addWidget(item.bar, 1);
    layout->addWidget(item.status, 1);
    layout->addWidget(item.button);
    m_layout->addWidget(item.row);
    m_items.append(item);
    connect(transfer, &client::FileTransfer::progress, item.bar,
            [bar = item.bar](qint64 done, qint64 total) {
                if (total > 0)
                    bar->setValue(int(done * 1000 / total));
            });
    connect(transfer, &client::FileTransfer::finished, this,
            [this, transfer] { onFinished(transfer); });
    connect(item.button, &QToolButton::clicked, this, [this, transfer] {
        if (transfer->isRunning())
            transfer->cancel(); // finished() removes the row
        else
            remove(transfer);
    });
    updateVisibility();
    Q_EMIT changed();
}

void PendingAttachments::onFinished(client::FileTransfer *transfer)
{
    const int i = indexOf(transfer);
    if (i < 0)
        return;
    Item &item = m_items[i];
    switch (transfer->state()) {
    case client::FileTransfer::State::Cancelled:
        remove(transfer);
        return;
    case client::FileTransfer::State::Done:
        item.bar->setValue(item.bar->maximum());
        item.button->setToolTip(tr("Do not send this file"));
        break;
    case client::FileTransfer::State::Failed: {
        item.bar->hide();
        item.status->setText(transfer->error());
        QPalette palette = item.status->palette();
        palette.setColor(QPalette::WindowText, QColor(0xc6, 0x28, 0x28));
        item.status->setPalette(palette);
        item.status->show();
        item.button->setToolTip(tr("Dismiss"));
        Q_EMIT refused(tr("%1 not sent: %2").arg(transfer->name(), transfer->error()));
        break;
    }
    case client::FileTransfer::State::Running:
        return;
    }
    Q_EMIT changed();
}

void PendingAttachments::remove(client::FileTransfer *transfer)
{
    const int i = indexOf(transfer);
    if (i < 0)
        return;
    const Item item = m_items.takeAt(i);
    if (item.transfer) {
        item.transfer->disconnect(this);
        item.transfer->cancel();
        item.transfer->deleteLater();
    }
    item.row->deleteLater();
    updateVisibility();
    Q_EMIT changed();
}

QList<client::Attachment> PendingAttachments::ready() const
{
    QList<client::Attachment> list;
    for (const Item &item : current()) {
        if (item.transfer && item.transfer->state() == client::FileTransfer::State::Done)
            list.append(item.transfer->attachment());
    }
    return list;
}

bool PendingAttachments::isUploading() const
{
    const QList<Item> items = current();
    return std::any_of(items.cbegin(), items.cend(), [](const Item &item) {
        return item.transfer && item.transfer->isRunning();
    });
}

void PendingAttachments::clear()
{
    for (const Item &item : current())
        remove(item.transfer);
}

client::FileTransfer *PendingAttachments::transfer(int i) const
{
    const QList<Item> items = current();
    return i >= 0 && i < items.size() ? items.at(i).transfer : nullptr;
}

int PendingAttachments::indexOf(const client::FileTransfer *transfer) const
{
    for (int i = 0; i < m_items.size(); ++i) {
        if (m_items.at(i).transfer == transfer)
            return i;
    }
    return -1;
}

} // namespace chatter::ui

// SPDX-License-Identifier: MIT
#pragma once

#include <QList>
#include <QRect>
#include <QStyledItemDelegate>

#include <utility>

class QTextDocument;

namespace chatter::client {
struct Attachment;
}

namespace chatter::ui {

class ThumbnailCache;

//! Paints one message the way the browser client shows it (resources/web/app.css): an avatar
//! with the author's initials on a circle of their hue, a header (nickname, "you", time), a
//! quote box above a reply, the formatted body (MessageFormatter), "(edited)", and a row of
//! reaction chips. A line that continues its author's group (MessageModel::GroupedRole) has no
//! avatar or header; its time shows in the gutter on hover. Joins and leaves are one dim
//! line, a deleted message a dim italic "message deleted". The first message of a day carries
//! a date separator above it. Own messages get a tinted background, messages that mention me
//! an amber one with a bar, both mixed from the view's palette so light and dark stay
//! readable. GUI thread only.
class MessageDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    //! Where each part of a row is painted, in the view's viewport coordinates (the option's
    //! rect). Empty rectangles for parts the row does not have.
    struct Geometry
    {
        QRect separator; //!< the day separator above the message
        QRect avatar;
        QRect header; //!< nickname, "you" and time
        QRect quote;  //!< the quote box of a reply
        QRect body;   //!< where the body document (layout()) is drawn
        QRect gutter; //!< left of the body: the time of a grouped line, on hover
        QList<std::pair<QString, QRect>> reactions; //!< emoji and its chip, in order
        //! Each attachment in order: an image's thumbnail, or a file's card.
        QList<QRect> attachments;
        //! The Save button of each file card (empty for images), parallel to attachments.
        QList<QRect> saveButtons;
        int height = 0; //!< of the whole row
    };

    //! What lies under a point of a row.
    struct Hit
    {
        enum class Kind
        {
            None,
            Link,     //!< value: the URL
            Quote,    //!< value: the parent's id
            Reaction, //!< value: the emoji
            Edited,   //!< the "(edited)" mark
            Image,    //!< an inline image; value: the attachment's index
            File,     //!< a file's card (not its Save button); value: the index
            Save      //!< a file card's Save button; value: the index
        };
        Kind kind = Kind::None;
        QString value;
    };

    explicit MessageDelegate(QObject *parent = nullptr);

    void setMyNickname(const QString &nickname) { m_nickname = nickname; }
    //! Where inline images come from; without one they show as placeholders.
    void setThumbnails(ThumbnailCache *thumbnails) { m_thumbnails = thumbnails; }
    //! How big an image's thumbnail is shown: its thumbnail's size within 320×240.
    static QSize imageSize(const client::Attachment &attachment);

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    bool editorEvent(QEvent *event, QAbstractItemModel *model, const QStyleOptionViewItem &option,
                     const QModelIndex &index) override;
    //! Tooltips: who reacted over a chip, when over "(edited)", else the full date.
    bool helpEvent(QHelpEvent *event, QAbstractItemView *view, const QStyleOptionViewItem &option,
                   const QModelIndex &index) override;

    //! Lays the row out as painted; `body`, when given, receives the laid-out body document.
    Geometry geometry(const QStyleOptionViewItem &option, const QModelIndex &index,
                      QTextDocument *body = nullptr) const;
    //! What is at `pos` (viewport coordinates) in the row painted at `option.rect`.
    Hit hitTest(const QStyleOptionViewItem &option, const QModelIndex &index,
                const QPoint &pos) const;
    //! The body document as painted (body and notes, at the body's width).
    void layout(QTextDocument &doc, const QStyleOptionViewItem &option,
                const QModelIndex &index) const;
    //! The avatar's diameter for a font: two lines of text.
    static int avatarSize(const QFont &font);
    //! What a reply's quote box says after the author: the parent's first line, or "deleted
    //! message".
    static QString quoteText(const QModelIndex &index);
    //! A chip's label: the emoji and how many reacted with it.
    static QString chipText(const QVariantMap &reaction);

Q_SIGNALS:
    void linkActivated(const QString &url);
    //! A left click on a reply's quote box.
    void quoteActivated(qint64 parentId);
    //! A left click on a reaction chip.
    void reactionActivated(int row, const QString &emoji);
    //! A left click on an inline image (open it) or on a file card (save it).
    void attachmentActivated(int row, int attachment);
    //! A left click on a file card's Save button.
    void saveRequested(int row, int attachment);

private:
    void paintAttachments(QPainter *painter, const QStyleOptionViewItem &option,
                          const QModelIndex &index, const Geometry &g, const QColor &under) const;

    QString m_nickname;
    ThumbnailCache *m_thumbnails = nullptr;
};

} // namespace chatter::ui

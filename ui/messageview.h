// SPDX-License-Identifier: MIT
#pragma once

#include <QListView>

class QMimeData;
class QTimer;

namespace chatter::ui {

class MessageDelegate;

//! The message list of the current room. Follows new messages while scrolled to the bottom,
//! keeps its place when older ones are prepended, and asks for more at the top. Rows are
//! painted by MessageDelegate; QListView lays a row out again when its data changes (an
//! edit, a deletion, reactions), as tst_messagedelegate checks; a change that alters the
//! next row's grouping (a deletion) must report that row too.
//!
//! Hit-testing for the conversation actions: every point and rectangle is in viewport
//! coordinates (QAbstractItemView::viewport(), as QMouseEvent::position() in its events and
//! visualRect()); rows are the model's rows.
class MessageView : public QListView
{
    Q_OBJECT
public:
    //! A reaction chip: its message's row and emoji; row -1 when the point is on none.
    struct ReactionHit
    {
        int row = -1;
        QString emoji;
        bool isValid() const { return row >= 0; }
    };

    explicit MessageView(QWidget *parent = nullptr);

    void setModel(QAbstractItemModel *model) override;
    MessageDelegate *messageDelegate() const { return m_delegate; }

    //! The parent id of the reply whose quote box is at `pos`; 0 when there is none.
    qint64 quoteAt(const QPoint &pos) const;
    //! The reaction chip at `pos`.
    ReactionHit reactionAt(const QPoint &pos) const;
    //! Where a row's quote box is painted; empty when the row is not a reply.
    QRect quoteRect(int row) const;
    //! Where a row's chip for `emoji` is painted; empty when it has none.
    QRect reactionRect(int row, const QString &emoji) const;
    //! Where a row's body text is painted (a popup for edits can sit on it).
    QRect bodyRect(int row) const;
    //! Where a row's avatar is painted; empty for a line that continues its author's group.
    QRect avatarRect(int row) const;
    //! Where a row's attachment `i` is painted (an image or a file card); empty when none.
    QRect attachmentRect(int row, int i) const;
    //! Where a row's file card `i` has its Save button; empty for an image or none.
    QRect saveRect(int row, int i) const;
    //! Local files in dropped or pasted data (urls with a file: scheme).
    static QStringList localFiles(const QMimeData *mime);
    //! The row of the message with server id `id`, -1 when it is not loaded.
    int rowOfId(qint64 id) const;
    //! Scrolls to the message `id` (centred) and makes it current, as a click on a quote
    //! asks; false, and nothing moves, when it is not loaded (older than the history held).
    bool showMessage(qint64 id);
    //! showMessage(), and the row stays selected (highlighted) for FlashMs or until the user
    //! selects something else: a search result opened.
    bool flashMessage(qint64 id);
    //! The message flashMessage() highlights now; 0 once the highlight is over.
    qint64 flashedId() const;
    //! Whether new rows at the bottom pull the view down with them (the live end). Off
    //! while the model is a window of history: a newer page then waits below.
    void setFollowNewest(bool follow) { m_followNewest = follow; }
    static constexpr int FlashMs = 4000;

Q_SIGNALS:
    //! Scrolled to the very top: time to load older messages.
    void reachedTop();
    //! Scrolled to the very bottom: a window of history loads its newer messages.
    void reachedBottom();
    //! A left click on a reply's quote box: show the parent (`parentId`, the row's ReplyToRole).
    void quoteClicked(qint64 parentId);
    //! A left click on a reaction chip of `row`: toggle my `emoji` reaction there.
    void reactionClicked(int row, const QString &emoji);
    //! A left click on attachment `i` of `row`: an image (view it) or a file card (save it).
    void attachmentClicked(int row, int i);
    //! A left click on the Save button of file card `i` of `row`.
    void saveClicked(int row, int i);
    //! Files dropped onto the conversation: attach them.
    void filesDropped(const QStringList &paths);

protected:
    void resizeEvent(QResizeEvent *event) override;
    //! Keyboard entry lands on the newest message, where reading starts, and shows it.
    void focusInEvent(QFocusEvent *event) override;
    //! Files dragged from a file manager attach, whatever row they land on.
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dragMoveEvent(QDragMoveEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void beforeInsert(const QModelIndex &parent, int first);
    void afterInsert(const QModelIndex &parent, int first, int last);
    void openFirstLink(const QModelIndex &index);
    //! The option the delegate paints `row` with (its rect as visualRect()).
    QStyleOptionViewItem optionFor(const QModelIndex &index) const;

    MessageDelegate *m_delegate;
    bool m_stickToBottom = true;
    bool m_followNewest = true;
    qint64 m_flashedId = 0;
    QTimer *m_flashTimer;
    int m_heightBeforePrepend = -1;
};

} // namespace chatter::ui

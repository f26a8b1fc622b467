// SPDX-License-Identifier: MIT
#pragma once

#include "presencediffbuffer.h"

#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <QTimer>

#include <functional>

namespace chatter::server {

//! When a worker's merged presence diffs go out: the first change after a quiet spell at the
//! end of the current event-loop turn, later ones at most once per window
//! (`presenceWindowMs`), so a join storm costs each member a few frames instead of one per
//! join. Lives on its worker's thread (its timer is a child of the worker).
class PresenceDiffQueue
{
public:
    //! Broadcasts one merged `presence_diff` payload (JSON text) on `topic`.
    using Publish = std::function<void(const QString &topic, QByteArray diff)>;

    PresenceDiffQueue(QObject *timerParent, int windowMs, Publish publish);

    void queue(const QString &topic, const PresenceDiff &diff);
    //! `topic`'s waiting diff goes out now, if it has one.
    void flush(const QString &topic);
    bool isEmpty() const { return m_buffer.isEmpty(); }
    //! No more diffs: the worker is being torn down and nobody is left to tell.
    void close() { m_closed = true; }

private:
    void flushAll();

    PresenceDiffBuffer m_buffer;
    QTimer m_timer;
    QElapsedTimer m_flushed; //!< since the last flush of everything
    int m_windowMs;
    Publish m_publish;
    bool m_closed = false;
};

} // namespace chatter::server

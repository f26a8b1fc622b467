// SPDX-License-Identifier: MIT
#pragma once

#include <QObject>

class QHttpServerRequest;
class QHttpServerResponder;

namespace chatter::server {

class Worker;

//! The HTTP side of files (docs/files-and-search.md) on one worker: `POST /api/files` (upload)
//! and `GET /files/<id>/<name>`, `GET /files/<id>/thumb` (signed URLs). Lives on the worker's
//! thread, as a child of its HttpRoutes.
//!
//! An upload is checked here (token, size, quota); hashing, writing and the thumbnail run on
//! the engine's file thread, the metadata row is written on the store thread, and the 201
//! goes out on this worker (which owns the responder) after that commit. Serving reads the
//! row through the worker's HistoryReader and streams the content from its FileContentStore.
class FileApi : public QObject
{
    Q_OBJECT
public:
    FileApi(Worker &worker, QObject *parent);

    void upload(const QHttpServerRequest &request, QHttpServerResponder &&responder);
    void serve(const QHttpServerRequest &request, QHttpServerResponder &responder);

    struct Call;

private:
    Worker &m_worker;
};

} // namespace chatter::server
